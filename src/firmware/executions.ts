import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Engine } from '../store/engine.js';
import { FieldHealthBuffer } from './field-health.js';
import { isErrorEvent } from './health.js';
import type { OtaCancel, OtaOffer } from './manifest.js';
import type { FirmwareMetrics } from './metrics.js';
import { type OfferSigning, offerMessage } from './ota-offer.js';
import type { RolloutPolicy } from './policy.js';
import { parseProgress } from './progress-report.js';
import type { ExecutionRow, ExecutionState } from './store-executions.js';
import * as store from './store-executions.js';
import type { PackageRow } from './store-packages.js';

export const FIRMWARE_KEY = 'device-information.firmware-revision';

/** What the engine needs to know about a rollout an execution belongs to. */
export interface RolloutContext {
  readonly id: string;
  readonly policy: RolloutPolicy;
  readonly pkg: PackageRow;
  readonly rollback: boolean;
}

interface Live {
  row: ExecutionRow;
  readonly rollout: RolloutContext;
}

export interface ExecutionEngineOptions extends OfferSigning {
  readonly store: Engine;
  readonly log: Logger;
  readonly metrics: FirmwareMetrics;
  /** Publishes on `dev/{did}/ota` (QoS 1). */
  readonly toDevice: (deviceId: string, message: OtaOffer | OtaCancel) => void;
  /** A rollout's figures changed in a way the scheduler should look at soon. */
  readonly changed: (rolloutId: string) => void;
  /**
   * A device now runs the package: the registry records the model spec version its firmware
   * implements, so its reports and commands are checked against that version's spec.
   */
  readonly updated?: (deviceId: string, specVersion: number) => Promise<void>;
  /** An execution changed (offered, progress, ended, withdrawn): its device's owner is told. */
  readonly notify?: (row: ExecutionRow, pkg: PackageRow) => void;
}

const TERMINAL = new Set<ExecutionState>(['succeeded', 'failed', 'timed_out', 'rejected', 'cancelled']);

/**
 * Per-device update executions: offers, progress, success only when the device comes back on the
 * new revision, deadlines and retries. The database is the truth (conditional updates, so a report
 * racing a deadline ends an attempt once); this object keeps an index of the live executions by
 * device so reports, presence and events find theirs without a query.
 */
export class ExecutionEngine {
  readonly #o: ExecutionEngineOptions;
  readonly #byDevice = new Map<string, Live[]>();
  readonly #health = new FieldHealthBuffer();

  constructor(options: ExecutionEngineOptions) {
    this.#o = options;
  }

  /** Live executions by state, for the metrics. */
  countsByState(): Map<ExecutionState, number> {
    const counts = new Map<ExecutionState, number>();
    for (const list of this.#byDevice.values()) {
      for (const l of list) counts.set(l.row.state, (counts.get(l.row.state) ?? 0) + 1);
    }
    return counts;
  }

  /** Indexes an execution of a rollout that is not over (at start, or when a rollout is created). */
  track(row: ExecutionRow, rollout: RolloutContext): void {
    const list = this.#byDevice.get(row.device_id) ?? [];
    const at = list.findIndex((l) => l.row.id === row.id);
    if (at >= 0) list.splice(at, 1);
    list.push({ row, rollout });
    this.#byDevice.set(row.device_id, list);
  }

  /** Drops every execution of a rollout that is over from the index. */
  forgetRollout(rolloutId: string): void {
    for (const [deviceId, list] of this.#byDevice) {
      const kept = list.filter((l) => l.rollout.id !== rolloutId);
      if (kept.length === 0) this.#byDevice.delete(deviceId);
      else if (kept.length !== list.length) this.#byDevice.set(deviceId, kept);
    }
  }

  /** The live execution of a device with this id, if any (and only that device's). */
  #find(deviceId: string, executionId: string): Live | undefined {
    return this.#byDevice.get(deviceId)?.find((l) => l.row.id === executionId);
  }

  /**
   * Re-reads the device's indexed executions: with several hub nodes, the offer, the progress and
   * the report of the new revision may each be handled by another node, so the indexed state may be
   * behind. Only for a device in a live rollout, and only on progress or a revision report.
   */
  async #refresh(deviceId: string): Promise<void> {
    const list = this.#byDevice.get(deviceId);
    if (!list || list.length === 0) return;
    for (const row of await store.findExecutions(
      this.#o.store,
      list.map((l) => l.row.id),
    ))
      this.#update(row);
  }

  #update(row: ExecutionRow): void {
    const live = this.#find(row.device_id, row.id);
    if (live) live.row = row;
  }

  /** queued -> offered, and the offer goes out. */
  async offer(row: ExecutionRow, rollout: RolloutContext, stage: number, fromVersion: string | null) {
    const now = this.#o.now();
    const offered = await store.markOffered(this.#o.store, row.id, {
      stage,
      fromVersion,
      at: now,
      dueAt: now + rollout.policy.timeouts.offerMs,
    });
    if (!offered) return false;
    this.track(offered, rollout);
    this.#o.metrics.offers.inc();
    this.#send(offered, rollout);
    this.#o.notify?.(offered, rollout.pkg);
    return true;
  }

  #send(row: ExecutionRow, rollout: RolloutContext): void {
    const offer = offerMessage(this.#o, row, rollout.pkg, rollout.rollback);
    if (offer) this.#o.toDevice(row.device_id, offer);
  }

  /**
   * A message on `dev/{did}/ota/progress`. Resolves once the state change is stored, so the PUBACK
   * means "recorded". A malformed message or one for an execution that is not this device's is
   * dropped (logged at debug): a device cannot touch another device's update.
   */
  async progress(deviceId: string, payload: Buffer): Promise<void> {
    const parsed = parseProgress(payload);
    if ('problem' in parsed) {
      this.#o.log.debug({ deviceId, problem: parsed.problem }, 'progress dropped');
      return;
    }
    const body = parsed.report;
    await this.#refresh(deviceId);
    const live = this.#find(deviceId, body.executionId);
    if (!live || TERMINAL.has(live.row.state)) {
      this.#o.log.debug(
        { deviceId, executionId: body.executionId },
        'progress for no live execution of this device',
      );
      return;
    }
    const now = this.#o.now();
    const { timeouts } = live.rollout.policy;
    this.#o.metrics.progress.inc({ state: body.state });
    if (body.state === 'failed' || body.state === 'rejected') {
      const reason = body.reason ?? 'other';
      await this.#end(
        live,
        body.state,
        body.detail ? `${reason}: ${body.detail}` : reason,
        body.state === 'failed',
      );
      return;
    }
    const offeredAt = live.row.offered_at ?? now;
    const updated = await store.markProgress(this.#o.store, live.row.id, {
      phase: body.state,
      percent: body.percent ?? null,
      at: now,
      dueAt: Math.min(now + timeouts.progressMs, offeredAt + timeouts.inProgressMs),
    });
    if (updated) {
      this.#update(updated);
      this.#o.notify?.(updated, live.rollout.pkg);
    }
  }

  /**
   * An accepted report: the device's firmware revision is the one proof of success. Coming back on
   * the old revision after installing means the update did not take (power loss, failed boot).
   */
  async reported(deviceId: string, props: Record<string, unknown>): Promise<void> {
    const revision = props[FIRMWARE_KEY];
    if (typeof revision !== 'string') return;
    await this.#refresh(deviceId);
    for (const live of this.#byDevice.get(deviceId) ?? []) {
      const { row } = live;
      if (row.state !== 'offered' && row.state !== 'in_progress') continue;
      if (revision === live.rollout.pkg.version) {
        // The device's spec version first: whoever sees the update succeeded sees the new version.
        await this.#o.updated?.(deviceId, live.rollout.pkg.spec_version).catch((err: unknown) => {
          this.#o.log.error({ err, deviceId }, 'recording the spec version of an updated device failed');
        });
        await this.#end(live, 'succeeded', null, false);
      } else if (row.phase === 'installing' || row.phase === 'rebooting') {
        await this.#end(live, 'failed', `reverted: came back on ${revision}`, true);
      }
    }
  }

  /** Presence: re-offer to a device that reconnects mid-update; count drop-offs for field health. */
  presence(deviceId: string, online: boolean, at: number): void {
    for (const live of this.#byDevice.get(deviceId) ?? []) {
      const { row } = live;
      if (online) {
        if (row.state === 'offered' || row.state === 'in_progress') this.#send(row, live.rollout);
        continue;
      }
      const h = this.#health.of(row.id);
      if (row.state === 'succeeded') {
        if (
          row.succeeded_at !== null &&
          at - row.succeeded_at <= live.rollout.policy.health.offlineWindowMs
        ) {
          h.offlineAfter = true;
        }
      } else if (row.state === 'queued' || row.state === 'offered') {
        h.offlineBefore++;
      }
    }
  }

  /** A device event: error events count against the firmware the device runs. */
  event(deviceId: string, event: string): void {
    for (const live of this.#byDevice.get(deviceId) ?? []) {
      if (!isErrorEvent(live.rollout.policy, event)) continue;
      const h = this.#health.of(live.row.id);
      if (live.row.state === 'succeeded') h.errorsAfter++;
      else if (live.row.state !== 'cancelled') h.errorsBefore++;
    }
  }

  /** Writes the buffered health observations (the scheduler calls it each tick). */
  flushHealth(): Promise<void> {
    return this.#health.flush(this.#o.store);
  }

  /** Times out every attempt whose deadline passed; retries follow the policy. */
  async expire(): Promise<number> {
    const now = this.#o.now();
    const due = await store.overdue(this.#o.store, now, 1000);
    let n = 0;
    for (const row of due) {
      const live = this.#find(row.device_id, row.id);
      if (!live) continue;
      live.row = row;
      const what =
        row.state === 'offered'
          ? 'the device did not start within the offer deadline'
          : `no progress since ${row.phase ?? 'the offer'}: the server-side deadline passed`;
      await this.#end(live, 'timed_out', `deadline: ${what}`, true);
      n++;
    }
    return n;
  }

  /** Ends the attempt; a failure or timeout is retried while the policy allows. */
  async #end(live: Live, state: ExecutionState, reason: string | null, retryable: boolean): Promise<void> {
    const now = this.#o.now();
    const { retries } = live.rollout.policy;
    const retry = retryable && live.row.attempts <= retries.max;
    const ended = await store.finishAttempt(this.#o.store, live.row.id, ['offered', 'in_progress'], {
      state,
      reason,
      at: now,
      retryAt: retry ? now + retries.backoffMs * 2 ** Math.max(0, live.row.attempts - 1) : undefined,
    });
    if (!ended) return;
    live.row = ended;
    this.#o.notify?.(ended, live.rollout.pkg);
    this.#o.metrics.finished.inc({ state: retry ? `${state}_retrying` : state });
    this.#o.log.info(
      {
        executionId: ended.id,
        deviceId: ended.device_id,
        state: ended.state,
        reason,
        attempts: ended.attempts,
      },
      'update attempt ended',
    );
    this.#o.changed(live.rollout.id);
  }

  /** Withdraws the offers of a cancelled rollout from the devices that hold one. */
  withdraw(rows: readonly ExecutionRow[]): void {
    for (const row of rows) {
      const live = this.#find(row.device_id, row.id);
      const held = live?.row.state === 'offered' || live?.row.state === 'in_progress';
      this.#update(row);
      if (held) this.#o.toDevice(row.device_id, { type: 'cancel', executionId: row.id });
      if (live) this.#o.notify?.(row, live.rollout.pkg);
    }
  }

  static newId(): string {
    return `ex_${randomBytes(8).toString('hex')}`;
  }
}
