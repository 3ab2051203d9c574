import type { StageProgress } from '../../../src/firmware/stages.js';
import { isRecord, type Json, list, num, oneOf, optStr, record, str } from '../api/decode.js';
import type { Http } from '../api/http.js';

/** The per-stage figures of a rollout: one shape, declared beside the server code that computes them. */
export type { StageProgress };

const enc = encodeURIComponent;

/** A firmware package as the partner console shows it (docs/ota.md, "Packages and signatures"). */
export interface FirmwarePackage {
  readonly id: string;
  readonly modelId: string;
  readonly version: string;
  readonly specVersion: number;
  readonly notes: string;
  readonly state: 'draft' | 'ready' | 'withdrawn';
  readonly channel: 'none' | 'beta' | 'stable';
  readonly size: number | null;
  readonly sha256: string | null;
  /** Signed by the hub's release key (the manifest exists once the binary is uploaded). */
  readonly signed: boolean;
  readonly keyId: string;
  readonly partnerSigned: boolean;
  readonly createdAt: string;
  readonly betaAt: string | null;
  readonly stableAt: string | null;
}

export type RolloutState = 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

export interface Rollout {
  readonly id: string;
  readonly modelId: string;
  readonly packageId: string;
  readonly version: string;
  readonly target: Json;
  readonly rollback: boolean;
  readonly state: RolloutState;
  readonly stage: number;
  readonly stages: number;
  readonly policy: Json;
  readonly haltReason: string | null;
  readonly haltedAt: string | null;
  readonly startAt: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Only in the answer to a create: devices left out and why. */
  readonly skipped?: Readonly<Record<string, number>>;
}

export type RolloutAction = 'pause' | 'resume' | 'promote' | 'cancel';

function readPackage(value: unknown, path = ''): FirmwarePackage {
  const r = record(value, path);
  return {
    id: str(r['id'], `${path}/id`),
    modelId: str(r['modelId'], `${path}/modelId`),
    version: str(r['version'], `${path}/version`),
    specVersion: num(r['specVersion'], `${path}/specVersion`),
    notes: str(r['notes'], `${path}/notes`),
    state: oneOf(r['state'], `${path}/state`, ['draft', 'ready', 'withdrawn'] as const),
    channel: oneOf(r['channel'], `${path}/channel`, ['none', 'beta', 'stable'] as const),
    size: typeof r['size'] === 'number' ? r['size'] : null,
    sha256: optStr(r['sha256'], `${path}/sha256`),
    signed: typeof r['signature'] === 'string',
    keyId: str(r['keyId'], `${path}/keyId`),
    partnerSigned: isRecord(r['partnerSignature']),
    createdAt: str(r['createdAt'], `${path}/createdAt`),
    betaAt: optStr(r['betaAt'], `${path}/betaAt`),
    stableAt: optStr(r['stableAt'], `${path}/stableAt`),
  };
}

function numbers(value: unknown, path: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record(value, path))) out[k] = num(v, `${path}/${k}`);
  return out;
}

function readRollout(value: unknown, path = ''): Rollout {
  const r = record(value, path);
  return {
    id: str(r['id'], `${path}/id`),
    modelId: str(r['modelId'], `${path}/modelId`),
    packageId: str(r['packageId'], `${path}/packageId`),
    version: str(r['version'], `${path}/version`),
    target: record(r['target'], `${path}/target`),
    rollback: r['rollback'] === true,
    state: oneOf(r['state'], `${path}/state`, [
      'scheduled',
      'running',
      'paused',
      'completed',
      'cancelled',
    ] as const),
    stage: num(r['stage'], `${path}/stage`),
    stages: num(r['stages'], `${path}/stages`),
    policy: record(r['policy'], `${path}/policy`),
    haltReason: optStr(r['haltReason'], `${path}/haltReason`),
    haltedAt: optStr(r['haltedAt'], `${path}/haltedAt`),
    startAt: str(r['startAt'], `${path}/startAt`),
    createdAt: str(r['createdAt'], `${path}/createdAt`),
    createdBy: str(r['createdBy'], `${path}/createdBy`),
    counts: numbers(r['counts'], `${path}/counts`),
    ...(isRecord(r['skipped']) ? { skipped: numbers(r['skipped'], `${path}/skipped`) } : {}),
  };
}

function readStage(value: unknown, path: string): StageProgress {
  const r = record(value, path);
  const n = (k: string) => num(r[k], `${path}/${k}`);
  return {
    stage: n('stage'),
    label: str(r['label'], `${path}/label`),
    planned: n('planned'),
    targeted: n('targeted'),
    succeeded: n('succeeded'),
    failed: n('failed'),
    inProgress: n('inProgress'),
    retrying: n('retrying'),
    cancelled: n('cancelled'),
    status: oneOf(r['status'], `${path}/status`, ['done', 'current', 'waiting'] as const),
  };
}

/** Firmware packages and rollouts of the partner's models (docs/ota.md). */
export class FirmwareConsoleApi {
  readonly #http: Http;

  constructor(http: Http) {
    this.#http = http;
  }

  async packages(modelId: string): Promise<FirmwarePackage[]> {
    return (await this.#http.list(`/v1/firmware/packages?modelId=${enc(modelId)}`)).map((p, i) =>
      readPackage(p, `/${i}`),
    );
  }

  async createPackage(body: {
    modelId: string;
    version: string;
    specVersion: number;
    notes: string;
  }): Promise<FirmwarePackage> {
    return readPackage(await this.#http.post('/v1/firmware/packages', body));
  }

  /** Streams the binary; the hub hashes it and signs the manifest. */
  async upload(packageId: string, file: Blob): Promise<FirmwarePackage> {
    return readPackage(
      await this.#http.upload('PUT', `/v1/firmware/packages/${enc(packageId)}/binary`, file),
    );
  }

  /** Releases to the beta channel: a rollout to the opted-in devices starts. */
  async releaseToBeta(packageId: string, soakMs: number): Promise<string | null> {
    const r = record(await this.#http.post(`/v1/firmware/packages/${enc(packageId)}/beta`, { soakMs }));
    return typeof r['rolloutId'] === 'string' ? r['rolloutId'] : null;
  }

  async promoteToStable(packageId: string): Promise<FirmwarePackage> {
    return readPackage(await this.#http.post(`/v1/firmware/packages/${enc(packageId)}/promote`));
  }

  async rollouts(): Promise<Rollout[]> {
    return (await this.#http.list('/v1/firmware/rollouts')).map((r, i) => readRollout(r, `/${i}`));
  }

  async rollout(rolloutId: string): Promise<Rollout> {
    return readRollout(await this.#http.get(`/v1/firmware/rollouts/${enc(rolloutId)}`));
  }

  async stages(rolloutId: string): Promise<StageProgress[]> {
    const r = record(await this.#http.get(`/v1/firmware/rollouts/${enc(rolloutId)}/stages`));
    return list(r['stages'], '/stages', readStage);
  }

  async createRollout(body: Json): Promise<Rollout> {
    return readRollout(await this.#http.post('/v1/firmware/rollouts', body));
  }

  async act(rolloutId: string, action: RolloutAction): Promise<Rollout> {
    return readRollout(await this.#http.post(`/v1/firmware/rollouts/${enc(rolloutId)}/${action}`));
  }
}
