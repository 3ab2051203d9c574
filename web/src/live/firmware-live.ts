import { type FirmwareNotice, readFirmwareNotice } from '../api/firmware.js';
import { Observable } from './observable.js';

/** Devices whose latest notice is kept (one per device; an account has a bounded number of them). */
const MAX_DEVICES = 500;

/**
 * Live firmware updates of the user's devices, from `app/{uid}/firmware` (only the owner gets
 * them, docs/ota.md). The latest notice per device, ordered by the hub's `updatedAt`, so a notice
 * that overtook another never takes the newer state back.
 */
export class FirmwareLive extends Observable {
  readonly latest = new Map<string, FirmwareNotice>();
  /** Counts connections that came back: a notice may have been missed while the link was down. */
  reconnects = 0;

  apply(body: unknown): void {
    const notice = readFirmwareNotice(body);
    if (notice === undefined) return;
    const known = this.latest.get(notice.deviceId);
    if (known?.executionId === notice.executionId && known.updatedAt > notice.updatedAt) return;
    this.latest.delete(notice.deviceId);
    this.latest.set(notice.deviceId, notice);
    if (this.latest.size > MAX_DEVICES) {
      const oldest = this.latest.keys().next().value;
      if (oldest !== undefined) this.latest.delete(oldest);
    }
    this.changed();
  }

  reconnected(): void {
    this.reconnects++;
    this.changed();
  }
}
