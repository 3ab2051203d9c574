import { randomBytes } from 'node:crypto';
import type { CheckContext } from './checks.js';
import type { FirmwareLink, UpdatePackage } from './firmware-link.js';
import type { PlanCase } from './plan.js';
import { type CheckOutcome, outcome } from './results.js';
import type { ObservedProgress, ObservedReport } from './session.js';
import type { TamperedDownloads } from './tampered.js';

/** What the update cases work with besides the device: the package and the firmware domain. */
export interface UpdateContext extends CheckContext {
  readonly firmware: FirmwareLink;
  readonly tampered: TamperedDownloads;
  readonly pkg: UpdatePackage;
}

/** Refusals the update cases expect: the OTA progress state and reason (docs/ota.md). */
const REFUSALS: Record<string, { state: string; reason: string }> = {
  'update.signature-invalid': { state: 'rejected', reason: 'signature-invalid' },
  'update.tampered': { state: 'failed', reason: 'hash-mismatch' },
};

/** States after which a device has taken the package in (it must never reach them when refusing). */
const INSTALLING = new Set(['installing', 'rebooting']);

/**
 * Why the update cases cannot run on this device (it already runs the package's version or a newer
 * one: anti-rollback refuses it before any check), or undefined when they can.
 */
export async function updateBlocker(ctx: UpdateContext): Promise<string | undefined> {
  const running = ctx.session.firmware ?? (await ctx.firmware.runningVersion(ctx.session.deviceId));
  if (running !== null && ctx.firmware.compare(running, ctx.pkg.version) >= 0) {
    return `the device runs ${running}: the update cases need a package newer than its firmware, not ${ctx.pkg.version}`;
  }
  return undefined;
}

/** One update case: an offer on `dev/{did}/ota`, then the device's progress and reports. */
export async function checkUpdate(ctx: UpdateContext, c: PlanCase): Promise<CheckOutcome> {
  const { session, firmware, pkg, budgets } = ctx;
  const out = outcome();
  const executionId = `${session.prefix}${c.id}`;
  const states: string[] = [];
  const track = (p: ObservedProgress) => {
    if (p.executionId === executionId && states.length < 50) states.push(p.state);
  };
  session.on('progress', track);
  let ticket: string | undefined;
  try {
    const genuine = firmware.downloadUrl(session.deviceId, pkg.id);
    let url = genuine.url;
    let signature = pkg.signature;
    if (c.id === 'update.signature-invalid') signature = randomBytes(64).toString('base64');
    if (c.id === 'update.tampered') {
      ticket = ctx.tampered.issue(pkg.id, firmware.binaryPath(pkg.id), pkg.size);
      url = `${firmware.httpUrl()}/v1/certification/downloads/${ticket}`;
    }
    const offer = {
      type: 'offer',
      executionId,
      manifest: pkg.manifest,
      signature,
      keyId: pkg.keyId,
      url,
      urlExpiresAt: genuine.expiresAt,
    };
    const sentAt = Date.now();
    const refusal = REFUSALS[c.id];
    // Settles on the first of: a refusal, an install under way (refusal cases), the version reported.
    const first = firstOf(ctx, budgets.updateMs, (p) =>
      p.executionId === executionId &&
      (p.state === 'failed' || p.state === 'rejected' || (refusal !== undefined && INSTALLING.has(p.state)))
        ? p
        : undefined,
    );
    session.sent(`dev/${session.deviceId}/ota`, { ...offer, manifest: '(the signed manifest)' });
    firmware.toDevice(session.deviceId, offer);
    const got = await first;
    out.measured['progress'] = states.join(',');
    if (refusal !== undefined) {
      if (got === undefined) {
        out.reasons.push(`no refusal (${refusal.state}: ${refusal.reason}) within ${budgets.updateMs} ms`);
      } else if (got.kind === 'revision') {
        out.reasons.push(`took the package: reported firmware ${pkg.version} after the offer`);
      } else {
        out.measured['refusedMs'] = got.at - sentAt;
        if (INSTALLING.has(got.progress.state)) {
          out.reasons.push(`took the package: reported ${got.progress.state} instead of refusing it`);
        } else if (got.progress.state !== refusal.state || got.progress.reason !== refusal.reason) {
          out.reasons.push(
            `answered ${got.progress.state}: ${got.progress.reason ?? '(no reason)'}, not ${refusal.state}: ${refusal.reason}`,
          );
        }
      }
      return out;
    }
    // The genuine package: success is the new revision reported (never the device's word alone).
    if (got === undefined) {
      out.reasons.push(`did not report firmware ${pkg.version} within ${budgets.updateMs} ms of the offer`);
    } else if (got.kind === 'revision') {
      out.measured['updateMs'] = got.at - sentAt;
      // A revision reported without this offer having been installed came from elsewhere (an
      // earlier, tampered package): it proves nothing about this update.
      if (!states.some((state) => INSTALLING.has(state)))
        out.reasons.push(
          `reported firmware ${pkg.version} without installing this offer (no installing progress)`,
        );
    } else {
      out.reasons.push(
        `refused the genuine package: ${got.progress.state}: ${got.progress.reason ?? '(no reason)'}`,
      );
    }
    return out;
  } finally {
    session.off('progress', track);
    if (ticket !== undefined) ctx.tampered.revoke(ticket);
  }
}

type Settled =
  | { kind: 'progress'; at: number; progress: ObservedProgress }
  | { kind: 'revision'; at: number };

/** The first progress message `pick` keeps, or a report of the package's version; undefined after `ms`. */
function firstOf(
  ctx: UpdateContext,
  ms: number,
  pick: (p: ObservedProgress) => ObservedProgress | undefined,
): Promise<Settled | undefined> {
  const { session, pkg } = ctx;
  return new Promise((resolve) => {
    const onProgress = (p: ObservedProgress) => {
      if (pick(p) !== undefined) done({ kind: 'progress', at: p.at, progress: p });
    };
    const onReport = (r: ObservedReport) => {
      if (r.firmware === pkg.version) done({ kind: 'revision', at: r.at });
    };
    const timer = setTimeout(() => done(undefined), ms);
    const done = (value: Settled | undefined) => {
      clearTimeout(timer);
      session.off('progress', onProgress);
      session.off('report', onReport);
      resolve(value);
    };
    session.on('progress', onProgress);
    session.on('report', onReport);
  });
}
