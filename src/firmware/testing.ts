import type { BetaTestRow } from './store-beta.js';

const HOUR_MS = 3_600_000;

/** How long one device tested a release on beta, in hours (docs/ota.md, "Tester credit"). */
export function testedHours(row: BetaTestRow, now: number): number {
  // A device counts while it stays on beta, online and reporting: not once it left beta, not after
  // it went offline soon after the update, not past the last time the hub saw it, not past stable.
  if (row.beta_user === null || row.offline_after) return 0;
  let end = row.stable_at ?? now;
  if (!row.online) end = Math.min(end, row.last_seen_at ?? row.succeeded_at);
  return Math.max(0, end - row.succeeded_at) / HOUR_MS;
}

export interface ReleaseTesting {
  readonly releaseId: string;
  readonly modelId: string;
  readonly version: string;
  /** Devices the release reached through beta. */
  readonly devices: number;
  /** Of those, the devices still on beta that count (online, reporting). */
  readonly keptDevices: number;
  /** Testers: users keeping at least one such device. */
  readonly testers: number;
  /** Device-hours on the release before it was promoted (or until now). */
  readonly deviceHours: number;
}

export function releaseTesting(
  release: { id: string; model_id: string; version: string },
  rows: readonly BetaTestRow[],
  now: number,
): ReleaseTesting {
  let hours = 0;
  let kept = 0;
  const testers = new Set<string>();
  for (const row of rows) {
    const h = testedHours(row, now);
    hours += h;
    if (h > 0 && row.beta_user !== null) {
      kept++;
      testers.add(row.beta_user);
    }
  }
  return {
    releaseId: release.id,
    modelId: release.model_id,
    version: release.version,
    devices: rows.length,
    keptDevices: kept,
    testers: testers.size,
    deviceHours: Math.round(hours * 10_000) / 10_000,
  };
}

/** A user's tested releases: per release, the devices they kept on it and for how long. */
export function userTesting(rows: readonly BetaTestRow[], now: number): ReleaseTesting[] {
  const byRelease = new Map<string, BetaTestRow[]>();
  for (const row of rows) byRelease.set(row.package_id, [...(byRelease.get(row.package_id) ?? []), row]);
  return [...byRelease.values()].map((list) => {
    const first = list[0] as BetaTestRow;
    return releaseTesting(
      { id: first.package_id, model_id: first.model_id, version: first.version },
      list,
      now,
    );
  });
}
