import { createHash, type KeyObject } from 'node:crypto';
import {
  canonicalGrant,
  type Manifest,
  type OtaOffer,
  type OtaProgress,
  type ReasonCode,
  type RollbackGrant,
  verifySignature,
} from '../src/firmware/manifest.js';
import { compareVersions } from '../src/firmware/semver.js';
import type { SimulatedDevice } from './device.js';

/**
 * OTA fault modes (docs/simulator.md, "OTA faults"): what a bad update looks like from the hub.
 */
export interface OtaFaults {
  /** The downloaded bytes are corrupted: the hash check fails, the device reports failed/hash-mismatch. */
  readonly corruptDownload?: boolean | undefined;
  /** The install fails: the device reports failed/install-failed and stays on the old version. */
  readonly installFails?: boolean | undefined;
  /** Power is lost while installing: the link drops and the device comes back on the old version. */
  readonly powerLossMidInstall?: boolean | undefined;
  /** The device reports that it started downloading, then never says anything again. */
  readonly neverFinish?: boolean | undefined;
  /** Slow link: this many bytes per second (the download takes its time, progress keeps coming). */
  readonly slowLinkBytesPerSec?: number | undefined;
  /** The first download attempt is cut after this many bytes; the device resumes with a Range request. */
  readonly cutDownloadAt?: number | undefined;
  /** The device never checks the SHA-256: it installs whatever it downloaded (certification's tampered case). */
  readonly skipHashCheck?: boolean | undefined;
  /** The new firmware is bad in the field: after updating, the device goes offline, or emits error events. */
  readonly badFirmware?: 'offline' | 'errors' | undefined;
}

export interface OtaClientOptions {
  /** The hub's release key, pinned (from /.well-known/ecohub-release-key). */
  readonly releaseKey: KeyObject;
  readonly faults?: OtaFaults | undefined;
  readonly installMs?: number | undefined;
  /** Error events per second in `badFirmware: 'errors'` mode. */
  readonly errorEventsPerSec?: number | undefined;
  readonly fetch?: typeof fetch | undefined;
}

export interface OtaAttempt {
  readonly executionId: string;
  readonly outcome: 'updated' | 'failed' | 'rejected' | 'abandoned' | 'cancelled';
  readonly reason?: ReasonCode | undefined;
  /** Range requests used to resume the download. */
  readonly resumes: number;
  readonly bytes: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The device side of OTA: takes an offer from `dev/{id}/ota`, checks the signature against the
 * pinned key, refuses a wrong model or an older version (unless a rollback grant for this device
 * says so), downloads with Range resume, checks size and SHA-256, installs and reboots into the
 * new revision. Reports progress on `dev/{id}/ota/progress` at every step.
 */
export class OtaClient {
  readonly attempts: OtaAttempt[] = [];
  readonly #device: SimulatedDevice;
  readonly #o: OtaClientOptions;
  readonly #seen = new Set<string>();
  #current: { executionId: string; cancelled: boolean } | undefined;
  #errorTimer: NodeJS.Timeout | undefined;
  readonly #waiters: Array<(a: OtaAttempt) => void> = [];

  constructor(device: SimulatedDevice, options: OtaClientOptions) {
    this.#device = device;
    this.#o = options;
    device.on('ota', (payload) => this.#message(payload));
  }

  /** The next attempt that ends (any outcome). */
  next(): Promise<OtaAttempt> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  stop(): void {
    if (this.#errorTimer) clearInterval(this.#errorTimer);
    this.#errorTimer = undefined;
    if (this.#current) this.#current.cancelled = true;
  }

  #message(payload: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { type?: unknown; executionId?: unknown };
    if (m.type === 'cancel') {
      const current = this.#current;
      if (current !== undefined && current.executionId === m.executionId) current.cancelled = true;
      return;
    }
    if (m.type !== 'offer' || typeof m.executionId !== 'string') return;
    // One update at a time; a re-sent offer for the one under way (after a reconnect) is a duplicate.
    if (this.#current !== undefined || this.#seen.has(m.executionId)) return;
    this.#seen.add(m.executionId);
    this.#current = { executionId: m.executionId, cancelled: false };
    const executionId = m.executionId;
    this.#run(msg as OtaOffer)
      .catch(() => ({ executionId, outcome: 'abandoned' as const, resumes: 0, bytes: 0 }))
      .then((attempt) => {
        this.#current = undefined;
        this.attempts.push(attempt);
        for (const w of this.#waiters.splice(0)) w(attempt);
      });
  }

  async #report(p: OtaProgress): Promise<void> {
    await this.#device.publishOtaProgress(p).catch(() => undefined);
  }

  async #refuse(
    executionId: string,
    state: 'failed' | 'rejected',
    reason: ReasonCode,
    bytes = 0,
    resumes = 0,
  ) {
    await this.#report({ executionId, state, reason });
    return { executionId, outcome: state, reason, resumes, bytes } satisfies OtaAttempt;
  }

  async #run(offer: OtaOffer): Promise<OtaAttempt> {
    const id = offer.executionId;
    const faults = this.#o.faults ?? {};
    if (!verifySignature(offer.manifest, offer.signature, this.#o.releaseKey)) {
      return this.#refuse(id, 'rejected', 'signature-invalid');
    }
    const manifest = JSON.parse(offer.manifest) as Manifest;
    if (manifest.model !== this.#device.spec.spec.model) return this.#refuse(id, 'rejected', 'wrong-model');
    if (
      compareVersions(manifest.version, this.#device.firmwareRevision) <= 0 &&
      !this.#rollbackAllowed(offer, manifest)
    ) {
      return this.#refuse(id, 'rejected', 'anti-rollback');
    }
    const download = await this.#download(offer, manifest, faults);
    if (download === 'cancelled') return { executionId: id, outcome: 'cancelled', resumes: 0, bytes: 0 };
    if (download === 'abandoned') return { executionId: id, outcome: 'abandoned', resumes: 0, bytes: 0 };
    if (download.error)
      return this.#refuse(id, 'failed', 'download-failed', download.bytes, download.resumes);
    await this.#report({ executionId: id, state: 'verifying' });
    const body = download.body;
    if (faults.corruptDownload === true && body.length > 0)
      body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
    const hash = createHash('sha256').update(body).digest('hex');
    if (faults.skipHashCheck !== true && (body.length !== manifest.size || hash !== manifest.sha256)) {
      return this.#refuse(id, 'failed', 'hash-mismatch', body.length, download.resumes);
    }
    await this.#report({ executionId: id, state: 'installing' });
    await sleep(this.#o.installMs ?? 20);
    const done = { executionId: id, resumes: download.resumes, bytes: body.length };
    if (faults.installFails === true)
      return this.#refuse(id, 'failed', 'install-failed', body.length, download.resumes);
    if (faults.powerLossMidInstall === true) {
      // The power goes: no more words; the device boots the old image from its other slot.
      this.#device.dropConnection();
      return { ...done, outcome: 'abandoned' };
    }
    await this.#report({ executionId: id, state: 'rebooting' });
    this.#device.setFirmwareRevision(manifest.version);
    this.#device.dropConnection();
    if (faults.badFirmware === 'offline') {
      // Comes back on the new version, announces it, then crashes for good.
      this.#device.once('reported', () => {
        setTimeout(() => void this.#device.stop(), 50);
      });
    } else if (faults.badFirmware === 'errors') {
      const every = 1000 / (this.#o.errorEventsPerSec ?? 20);
      const fault = this.#device.spec.events.find((e) => /error|fault/.test(e.key));
      if (fault) {
        this.#errorTimer = setInterval(() => {
          if (this.#device.connected) this.#device.sendEvent(fault.key).catch(() => undefined);
        }, every);
        this.#errorTimer.unref();
      }
    }
    return { ...done, outcome: 'updated' };
  }

  #rollbackAllowed(offer: OtaOffer, manifest: Manifest): boolean {
    if (
      !offer.rollback ||
      !verifySignature(offer.rollback.grant, offer.rollback.signature, this.#o.releaseKey)
    ) {
      return false;
    }
    const grant = JSON.parse(offer.rollback.grant) as RollbackGrant;
    return (
      canonicalGrant(grant) === offer.rollback.grant &&
      grant.format === 'ecohub-rollback/1' &&
      grant.deviceId === this.#device.id &&
      grant.executionId === offer.executionId &&
      grant.packageId === manifest.packageId &&
      grant.version === manifest.version
    );
  }

  async #download(
    offer: OtaOffer,
    manifest: Manifest,
    faults: OtaFaults,
  ): Promise<{ body: Buffer; resumes: number; bytes: number; error: boolean } | 'cancelled' | 'abandoned'> {
    const id = offer.executionId;
    const doFetch = this.#o.fetch ?? fetch;
    const chunks: Buffer[] = [];
    let have = 0;
    let resumes = 0;
    let lastPercent = -1;
    let cutAt = faults.cutDownloadAt;
    await this.#report({ executionId: id, state: 'downloading', percent: 0 });
    if (faults.neverFinish === true) return 'abandoned';
    for (let attempt = 0; attempt < 5 && have < manifest.size; attempt++) {
      const abort = new AbortController();
      const headers: Record<string, string> =
        have > 0 ? { range: `bytes=${have}-`, 'if-range': `"${manifest.sha256}"` } : {};
      if (have > 0) resumes++;
      try {
        const res = await doFetch(offer.url, { headers, signal: abort.signal });
        if (res.status !== 200 && res.status !== 206)
          return { body: Buffer.alloc(0), resumes, bytes: have, error: true };
        if (res.status === 200 && have > 0) {
          chunks.length = 0;
          have = 0;
        }
        if (!res.body) break;
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (this.#current?.cancelled) {
            abort.abort();
            return 'cancelled';
          }
          const buf = Buffer.from(value);
          chunks.push(buf);
          have += buf.length;
          const percent = Math.floor((100 * have) / manifest.size);
          if (percent >= lastPercent + 25 || percent === 100) {
            lastPercent = percent;
            await this.#report({ executionId: id, state: 'downloading', percent: Math.min(100, percent) });
          }
          if (faults.slowLinkBytesPerSec) await sleep((1000 * buf.length) / faults.slowLinkBytesPerSec);
          if (cutAt !== undefined && have >= cutAt) {
            cutAt = undefined;
            // The link drops mid-transfer: keep what arrived, resume from there.
            const keep = Buffer.concat(chunks).subarray(0, Math.min(have, faults.cutDownloadAt ?? have));
            chunks.length = 0;
            chunks.push(keep);
            have = keep.length;
            abort.abort();
            break;
          }
        }
      } catch {
        if (this.#current?.cancelled) return 'cancelled';
        await sleep(50);
      }
    }
    return { body: Buffer.concat(chunks), resumes, bytes: have, error: have < manifest.size };
  }
}
