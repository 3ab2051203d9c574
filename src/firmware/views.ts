import { iso } from './access.js';
import type { ExecutionRow } from './store-executions.js';
import type { PackageRow } from './store-packages.js';

export interface PackageView {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly version: string;
  readonly specVersion: number;
  readonly notes: string;
  readonly state: PackageRow['state'];
  readonly channel: PackageRow['channel'];
  readonly size: number | null;
  readonly sha256: string | null;
  /** The signed manifest text (canonical JSON), once the binary is uploaded. */
  readonly manifest: string | null;
  readonly signature: string | null;
  readonly keyId: string;
  readonly partnerSignature: { readonly publicKey: string; readonly signature: string } | null;
  readonly createdAt: string;
  readonly readyAt: string | null;
  readonly betaAt: string | null;
  readonly stableAt: string | null;
}

export function packageView(row: PackageRow, keyId: string): PackageView {
  return {
    id: row.id,
    partnerId: row.partner_id,
    modelId: row.model_id,
    version: row.version,
    specVersion: row.spec_version,
    notes: row.notes,
    state: row.state,
    channel: row.channel,
    size: row.size,
    sha256: row.sha256,
    manifest: row.manifest,
    signature: row.signature,
    keyId,
    partnerSignature:
      row.partner_signature === null
        ? null
        : (JSON.parse(row.partner_signature) as { publicKey: string; signature: string }),
    createdAt: new Date(row.created_at).toISOString(),
    readyAt: iso(row.ready_at),
    betaAt: iso(row.beta_at),
    stableAt: iso(row.stable_at),
  };
}

export interface ExecutionView {
  readonly id: string;
  readonly rolloutId: string;
  readonly deviceId: string;
  readonly state: ExecutionRow['state'];
  readonly stage: number | null;
  readonly attempts: number;
  readonly fromVersion: string | null;
  readonly phase: string | null;
  readonly percent: number | null;
  readonly reason: string | null;
  /** The server-side deadline (offered, in progress) or the next attempt (queued after a retry). */
  readonly dueAt: string | null;
  readonly offeredAt: string | null;
  readonly succeededAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
}

export function executionView(row: ExecutionRow): ExecutionView {
  return {
    id: row.id,
    rolloutId: row.rollout_id,
    deviceId: row.device_id,
    state: row.state,
    stage: row.stage,
    attempts: row.attempts,
    fromVersion: row.from_version,
    phase: row.phase,
    percent: row.percent,
    reason: row.reason,
    dueAt: iso(row.due_at),
    offeredAt: iso(row.offered_at),
    succeededAt: iso(row.succeeded_at),
    finishedAt: iso(row.finished_at),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
