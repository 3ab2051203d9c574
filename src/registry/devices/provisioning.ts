import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { hashSecret, newId } from '../../identity/secrets.js';
import type { Engine } from '../../store/engine.js';
import { hashPairingCode, newDeviceCredentials } from './credentials.js';
import * as store from './store.js';

export const MAX_BATCH_SIZE = 100_000;

export interface ProvisionedDevice {
  readonly id: string;
  /** Shown once: only its hash is stored. */
  readonly secret: string;
  /** Shown once: what the QR sticker on the box holds. */
  readonly pairingCode: string;
}

export interface BatchView {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly size: number;
  readonly label: string | null;
  readonly createdAt: string;
}

export function batchView(row: store.BatchRow): BatchView {
  return {
    id: row.id,
    partnerId: row.partner_id,
    modelId: row.model_id,
    modelVersion: row.model_version,
    size: row.size,
    label: row.label,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Provisions `size` devices of one certified or published model version in one transaction:
 * either the whole batch exists afterwards or none of it does.
 */
export async function provisionBatch(
  deps: { db: Engine; log: Logger; now: () => number },
  input: { partnerId: string; modelId: string; version: number; size: number; label?: string | undefined },
): Promise<{ batch: BatchView; devices: ProvisionedDevice[] }> {
  const model = await store.findModelVersion(deps.db, input.modelId, input.version);
  if (!model || model.partner_id !== input.partnerId) {
    throw new HubError('NOT_FOUND', `model ${input.modelId} version ${input.version} not found`);
  }
  if (model.state !== 'certified' && model.state !== 'published') {
    throw new HubError(
      'INVALID_STATE',
      `model ${input.modelId} version ${input.version} is ${model.state}; devices can be provisioned only for a certified or published version`,
    );
  }
  const at = deps.now();
  const batch: store.BatchRow = {
    id: newId(),
    partner_id: input.partnerId,
    model_id: input.modelId,
    model_version: input.version,
    size: input.size,
    label: input.label ?? null,
    created_at: at,
  };
  const started = performance.now();
  const devices: ProvisionedDevice[] = newDeviceCredentials(input.size);
  // Hashed before the transaction: nothing but the database's own work runs while it is open.
  const rows: store.NewDevice[] = devices.map((device) => ({
    id: device.id,
    partnerId: input.partnerId,
    modelId: input.modelId,
    modelVersion: input.version,
    batchId: batch.id,
    secretHash: hashSecret(device.secret),
    pairingHash: hashPairingCode(device.pairingCode),
    createdAt: at,
  }));
  await deps.db.transaction(async (tx) => {
    await store.insertBatch(tx, batch);
    await store.insertDevices(tx, rows);
  });
  deps.log.info(
    {
      batchId: batch.id,
      modelId: input.modelId,
      version: input.version,
      size: input.size,
      ms: Math.round(performance.now() - started),
    },
    'devices provisioned',
  );
  return { batch: batchView(batch), devices };
}
