import type { Transaction } from '../../store/engine.js';
import type { AcceptedEvent, AcceptedReport } from './reports.js';
import { admitSeq, decodeMarks, encodeRecent, type SeqMarks } from './seq-marks.js';
import * as store from './store.js';

/** A validated report or event as it was received. */
export interface IngestItem {
  readonly deviceId: string;
  readonly item: AcceptedReport | AcceptedEvent;
  /** Receipt time (ms since the epoch). */
  readonly at: number;
}

/** What the batch writer knows of a device: its shadow version and deduplication marks. */
export interface IngestState {
  readonly version: number;
  readonly marks: SeqMarks;
}

export function stateOf(row: store.IngestStateRow): IngestState {
  return { version: row.shadow_version, marks: decodeMarks(row.seq_high, row.seq_recent) };
}

export type ItemResult =
  /** Stored; a report takes the shadow version `version`. */
  | { readonly outcome: 'stored'; readonly version: number | undefined }
  /** A redelivery of a stored message: acknowledged, not stored again. */
  | { readonly outcome: 'duplicate' }
  /** No such device in the database. */
  | { readonly outcome: 'unknown-device' };

/** A batch worked out in memory: what each item becomes, and every row to write for it. */
export interface BatchPlan {
  readonly results: readonly ItemResult[];
  readonly points: readonly store.PointRow[];
  readonly events: readonly store.EventInsert[];
  readonly devices: readonly store.DeviceWrite[];
  /** Each touched device's state once the batch has committed. */
  readonly states: ReadonlyMap<string, IngestState>;
}

/**
 * Decides every item of a batch from the devices' states before it (not modified): a seq already
 * stored is a duplicate (seq-marks.ts), each stored report takes the device's next shadow version,
 * in arrival order. The versions are counted here, in memory, and written once per device.
 */
export function planBatch(items: readonly IngestItem[], before: ReadonlyMap<string, IngestState>): BatchPlan {
  const after = new Map<string, IngestState>();
  const touches = new Map<string, { at: number; firmware: string | null }>();
  const results: ItemResult[] = [];
  const points: store.PointRow[] = [];
  const events: store.EventInsert[] = [];
  for (const { deviceId, item, at } of items) {
    const state = after.get(deviceId) ?? before.get(deviceId);
    if (state === undefined) {
      results.push({ outcome: 'unknown-device' });
      continue;
    }
    const touch = touches.get(deviceId) ?? { at, firmware: null };
    touch.at = Math.max(touch.at, at);
    touches.set(deviceId, touch);
    const marks = admitSeq(state.marks, item.seq);
    if (marks === undefined) {
      after.set(deviceId, state);
      results.push({ outcome: 'duplicate' });
      continue;
    }
    if (item.kind === 'event') {
      after.set(deviceId, { version: state.version, marks });
      results.push({ outcome: 'stored', version: undefined });
      events.push({
        deviceId,
        event: item.event,
        ts: at,
        deviceTs: item.deviceTs,
        seq: item.seq,
        arguments: JSON.stringify(item.arguments),
      });
      continue;
    }
    const version = state.version + 1;
    after.set(deviceId, { version, marks });
    results.push({ outcome: 'stored', version });
    if (item.firmware !== undefined) touch.firmware = item.firmware;
    for (const v of item.values) {
      points.push({
        deviceId,
        property: v.key,
        ts: at,
        deviceTs: item.deviceTs,
        seq: item.seq,
        value: JSON.stringify(v.value),
        num: v.num,
        version,
      });
    }
  }
  const devices: store.DeviceWrite[] = [];
  for (const [deviceId, touch] of touches) {
    const state = after.get(deviceId);
    if (state?.marks.high === undefined) continue;
    devices.push({
      deviceId,
      version: state.version,
      at: touch.at,
      firmware: touch.firmware,
      seqHigh: state.marks.high,
      seqRecent: encodeRecent(state.marks),
    });
  }
  return { results, points, events, devices, states: after };
}

/** Every row of a planned batch, table by table, in multi-row statements (store.ts). */
export async function writePlan(tx: Transaction, plan: BatchPlan): Promise<void> {
  await store.writeDevices(tx, plan.devices);
  await store.insertPoints(tx, plan.points);
  await store.upsertShadow(tx, plan.points);
  await store.insertEvents(tx, plan.events);
}
