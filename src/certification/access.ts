import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { ModelSpec } from '../registry/spec/index.js';
import type { Engine } from '../store/engine.js';
import * as store from './store.js';

/** What certification needs of the registry, wired by the composition root. */
export interface CertificationRegistry {
  modelVersion(
    modelId: string,
    version: number,
  ): Promise<{ partnerId: string; state: string; spec: ModelSpec } | undefined>;
  device(deviceId: string): Promise<{ partnerId: string; modelId: string; version: number } | undefined>;
}

/** Certification is for partners (their own) and the operator (all); users are refused. */
export function notUser(caller: Identity): void {
  if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'certification is for partners and operators');
}

/** The model version if the caller may see it; another partner's is NOT_FOUND, as a missing one. */
export async function visibleModel(
  registry: CertificationRegistry,
  caller: Identity,
  modelId: string,
  version: number,
) {
  notUser(caller);
  const model = await registry.modelVersion(modelId, version);
  if (model === undefined || (caller.kind === 'partner' && model.partnerId !== caller.partnerId)) {
    throw new HubError('NOT_FOUND', `model ${modelId} version ${version} not found`);
  }
  return model;
}

export async function visibleRun(db: Engine, caller: Identity, runId: string): Promise<store.RunRow> {
  notUser(caller);
  const row = await store.findRun(db, runId);
  if (row === undefined || (caller.kind === 'partner' && row.partner_id !== caller.partnerId)) {
    throw new HubError('NOT_FOUND', `run ${runId} not found`);
  }
  return row;
}

/** Who started a run, as recorded (a key or token id, never a secret). */
export function starter(caller: Identity): string {
  return caller.kind === 'partner'
    ? `partner:${caller.keyId}`
    : `operator:${caller.kind === 'operator' ? caller.tokenId : ''}`;
}
