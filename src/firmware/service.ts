import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine } from '../store/engine.js';
import { iso } from './access.js';
import { BetaService } from './beta.js';
import { DownloadTokens } from './download-tokens.js';
import { ExecutionEngine } from './executions.js';
import type { OtaCancel, OtaOffer } from './manifest.js';
import { FirmwareMetrics } from './metrics.js';
import { PackageService } from './packages.js';
import { ReleaseKey } from './release-key.js';
import { RolloutService } from './rollouts.js';
import { RolloutScheduler } from './scheduler.js';
import { compareVersions } from './semver.js';
import type { FirmwareSettings } from './settings.js';
import type { ExecutionRow } from './store-executions.js';
import * as executions from './store-executions.js';
import * as fleet from './store-fleet.js';
import type { PackageRow } from './store-packages.js';
import * as packages from './store-packages.js';
import { executionView } from './views.js';

export interface FirmwareOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly dataDir: string;
  readonly settings: FirmwareSettings;
  readonly registry: Registry;
  readonly httpUrl: () => string;
  readonly toDevice: (deviceId: string, message: OtaOffer | OtaCancel) => void;
  /** A rollout beyond beta passes this first (certification, docs/certification.md). */
  readonly releaseGate?:
    | ((modelId: string, specVersion: number, version: string) => Promise<void>)
    | undefined;
  /** Records the spec version an updated device's firmware implements (the registry's devices). */
  readonly setSpecVersion?: (deviceId: string, specVersion: number) => Promise<void>;
  /** Publishes to a device owner's inbox (`app/{uid}/firmware`): its device's update changed. */
  readonly toOwner?: (userId: string, notice: FirmwareNotice) => void;
}

/** What a device's owner is told live of its device's update (`app/{uid}/firmware`, docs/ota.md). */
export interface FirmwareNotice {
  readonly type: 'firmware-update';
  readonly deviceId: string;
  readonly executionId: string;
  readonly version: string;
  readonly state: ExecutionRow['state'];
  readonly phase: string | null;
  readonly percent: number | null;
  readonly reason: string | null;
  readonly updatedAt: string;
}

/** A release a device may take: the newest on the channels it follows, newer than what it runs. */
export interface AvailableRelease {
  readonly packageId: string;
  readonly version: string;
  readonly notes: string;
  readonly channel: 'beta' | 'stable';
  readonly releasedAt: string | null;
}

/** What a device owner sees of its device's firmware (REST and the SDK). */
export interface DeviceFirmwareView {
  readonly deviceId: string;
  readonly modelId: string;
  readonly currentVersion: string | null;
  readonly beta: boolean;
  /** The newest release on stable (and beta, when opted in) newer than the running version. */
  readonly available: AvailableRelease | null;
  readonly updates: ReadonlyArray<
    ReturnType<typeof executionView> & { version: string; notes: string; rollback: boolean }
  >;
}

/**
 * The firmware domain (issue 14, docs/ota.md): packages and their signed manifests, delivery,
 * executions with deadlines, rollouts that halt themselves, the beta channel. Other domains (the
 * community's release notes, certification's OTA test) use this object's services.
 */
export class Firmware {
  readonly key: ReleaseKey;
  readonly tokens: DownloadTokens;
  readonly packages: PackageService;
  readonly engine: ExecutionEngine;
  readonly rollouts: RolloutService;
  readonly beta: BetaService;
  readonly scheduler: RolloutScheduler;
  readonly metrics: FirmwareMetrics;
  readonly #o: FirmwareOptions;

  private constructor(o: FirmwareOptions, key: ReleaseKey) {
    this.#o = o;
    this.key = key;
    this.tokens = new DownloadTokens(key);
    let scheduler: RolloutScheduler | undefined;
    this.metrics = new FirmwareMetrics(o.registry, () => ({
      executions: this.engine.countsByState(),
      rollouts: scheduler?.figures ?? [],
    }));
    this.packages = new PackageService({
      store: o.store,
      log: o.log.child({ part: 'packages' }),
      key,
      dir: o.settings.dir ?? join(o.dataDir, 'firmware'),
      maxBytes: o.settings.maxPackageBytes,
      now: o.now,
    });
    this.engine = new ExecutionEngine({
      store: o.store,
      log: o.log.child({ part: 'executions' }),
      key,
      tokens: this.tokens,
      metrics: this.metrics,
      now: o.now,
      httpUrl: o.httpUrl,
      downloadTtlMs: o.settings.downloadTtlMs,
      toDevice: o.toDevice,
      changed: () => scheduler?.poke(),
      notify: (row, pkg) => void this.#notifyOwner(row, pkg),
      ...(o.setSpecVersion ? { updated: o.setSpecVersion } : {}),
    });
    this.rollouts = new RolloutService({
      store: o.store,
      log: o.log.child({ part: 'rollouts' }),
      now: o.now,
      packages: this.packages,
      engine: this.engine,
      poke: () => scheduler?.poke(),
      releaseGate: o.releaseGate,
      timeouts: {
        offerMs: o.settings.offerTimeoutMs,
        progressMs: o.settings.progressTimeoutMs,
        inProgressMs: o.settings.inProgressTimeoutMs,
      },
    });
    this.beta = new BetaService({
      store: o.store,
      log: o.log.child({ part: 'beta' }),
      now: o.now,
      packages: this.packages,
      rollouts: this.rollouts,
      defaultSoakMs: o.settings.betaSoakMs,
    });
    scheduler = new RolloutScheduler({
      store: o.store,
      log: o.log.child({ part: 'scheduler' }),
      now: o.now,
      engine: this.engine,
      rollouts: this.rollouts,
      metrics: this.metrics,
      tickMs: o.settings.tickMs,
    });
    this.scheduler = scheduler;
  }

  /** Loads (or creates) the release key; call start() once the hub listens. */
  static async open(options: FirmwareOptions): Promise<Firmware> {
    return new Firmware(options, await ReleaseKey.load(options.store, options.now()));
  }

  /** Rebuilds live executions and deadlines from the database and starts the scheduler. */
  start(): Promise<void> {
    return this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** The firmware a device runs, its beta opt-in and its updates: for its owner only. */
  async deviceFirmware(caller: Identity, deviceId: string): Promise<DeviceFirmwareView> {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'this route is for device owners');
    const device = await fleet.device(this.#o.store, deviceId);
    if (!device || (await fleet.ownerOf(this.#o.store, deviceId)) !== caller.userId) {
      throw new HubError('NOT_FOUND', 'device not found');
    }
    const history = await executions.deviceHistory(this.#o.store, deviceId, 20);
    const beta = await this.beta.enrolled(deviceId);
    const current = device.firmware_version;
    const releases = await packages.releasesOfModel(
      this.#o.store,
      device.model_id,
      beta ? ['stable', 'beta'] : ['stable'],
    );
    const newest = releases
      .filter((p) => current === null || compareVersions(p.version, current) > 0)
      .sort((a, b) => compareVersions(b.version, a.version))[0];
    return {
      deviceId,
      modelId: device.model_id,
      currentVersion: current,
      beta,
      available:
        newest === undefined
          ? null
          : {
              packageId: newest.id,
              version: newest.version,
              notes: newest.notes,
              channel: newest.channel === 'beta' ? 'beta' : 'stable',
              releasedAt: iso(newest.channel === 'beta' ? newest.beta_at : newest.stable_at),
            },
      updates: history.map((row) => ({
        ...executionView(row),
        version: row.version,
        notes: row.notes,
        rollback: row.rollback,
      })),
    };
  }

  /** Tells the device's owner (if it has one now) that its update changed; never fails the caller. */
  async #notifyOwner(row: ExecutionRow, pkg: PackageRow): Promise<void> {
    const toOwner = this.#o.toOwner;
    if (toOwner === undefined) return;
    try {
      const owner = await fleet.ownerOf(this.#o.store, row.device_id);
      if (owner === undefined) return;
      const view = executionView(row);
      toOwner(owner, {
        type: 'firmware-update',
        deviceId: row.device_id,
        executionId: row.id,
        version: pkg.version,
        state: view.state,
        phase: view.phase,
        percent: view.percent,
        reason: view.reason,
        updatedAt: view.updatedAt,
      });
    } catch (err) {
      this.#o.log.warn({ err, executionId: row.id }, 'telling the owner of an update failed');
    }
  }

  /** Which firmware runs on a device (for other domains: community, certification). */
  async runningVersion(deviceId: string): Promise<string | null | undefined> {
    return (await fleet.device(this.#o.store, deviceId))?.firmware_version;
  }

  /** Orders two firmware versions (semantic versioning). */
  static compare(a: string, b: string): number {
    return compareVersions(a, b);
  }
}
