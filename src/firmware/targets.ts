import { type Static, Type } from '@sinclair/typebox';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { diffAddOnly } from '../registry/spec/diff.js';
import type { ModelSpec } from '../registry/spec/index.js';
import type { Queryable } from '../store/engine.js';
import { compareVersions, parseRange } from './semver.js';
import * as beta from './store-beta.js';
import { busyDevices } from './store-executions.js';
import * as fleet from './store-fleet.js';
import type { PackageRow } from './store-packages.js';

export const MAX_LISTED_DEVICES = 10_000;

export const TargetSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('model'),
      /** Only devices whose current firmware is in this range, e.g. `>=1.0.0 <1.4.0`. */
      fromVersions: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('devices'),
      deviceIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        minItems: 1,
        maxItems: MAX_LISTED_DEVICES,
        uniqueItems: true,
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('channel'),
      /** beta: devices their owners opted in; stable: every other device of the model. */
      channel: Type.Union([Type.Literal('beta'), Type.Literal('stable')]),
    },
    { additionalProperties: false },
  ),
]);
export type Target = Static<typeof TargetSchema>;

export interface ResolvedTargets {
  readonly deviceIds: string[];
  /** Devices of the target left out, by why. */
  readonly skipped: {
    sameVersion: number;
    newerVersion: number;
    olderVersion: number;
    busy: number;
    outOfRange: number;
  };
}

function invalid(path: string, message: string): HubError {
  return new HubError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });
}

/**
 * The devices a rollout of `pkg` reaches, with the rules of docs/ota.md, "Refusals": the spec
 * version must be an add-only superset of what each device runs; anti-rollback unless the rollout
 * is an explicit rollback; a device already being updated by another rollout is left out.
 */
export async function resolveTargets(
  db: Queryable,
  caller: Identity,
  pkg: PackageRow,
  target: Target,
  rollback: boolean,
): Promise<ResolvedTargets> {
  let devices: fleet.FleetDevice[];
  let listed = false;
  let inRange: ((v: string) => boolean) | undefined;
  if (target.kind === 'devices') {
    listed = true;
    devices = await fleet.devicesByIds(db, target.deviceIds);
    const found = new Map(devices.map((d) => [d.id, d]));
    target.deviceIds.forEach((id, i) => {
      const d = found.get(id);
      // Another partner's device answers like a missing one.
      if (!d || (caller.kind === 'partner' && d.partner_id !== caller.partnerId)) {
        throw invalid(`/target/deviceIds/${i}`, `no device ${id}`);
      }
      if (d.model_id !== pkg.model_id) {
        throw invalid(
          `/target/deviceIds/${i}`,
          `device ${id} is a ${d.model_id}, the package is for ${pkg.model_id}`,
        );
      }
    });
  } else if (target.kind === 'channel') {
    const betaIds = new Set(await beta.betaDevicesOfModel(db, pkg.model_id));
    const all = await fleet.devicesOfModel(db, pkg.model_id);
    devices = all.filter((d) => betaIds.has(d.id) === (target.channel === 'beta'));
  } else {
    devices = await fleet.devicesOfModel(db, pkg.model_id);
    if (target.fromVersions !== undefined) {
      const range = parseRange(target.fromVersions);
      if (typeof range === 'string') throw invalid('/target/fromVersions', range);
      inRange = range;
    }
  }
  devices = devices.filter((d) => !d.blocked && d.partner_id === pkg.partner_id);
  await checkSpecVersions(db, pkg, devices);

  const skipped = { sameVersion: 0, newerVersion: 0, olderVersion: 0, busy: 0, outOfRange: 0 };
  const chosen: fleet.FleetDevice[] = [];
  for (const d of devices) {
    const current = d.firmware_version;
    if (inRange && (current === null || !inRange(current))) {
      skipped.outOfRange++;
      continue;
    }
    const order = current === null ? 1 : compareVersions(pkg.version, current);
    if (order === 0) {
      skipped.sameVersion++;
      continue;
    }
    if (!rollback && order < 0) {
      if (listed) {
        throw invalid(
          '/target/deviceIds',
          `device ${d.id} runs ${current}, newer than ${pkg.version}: anti-rollback refuses it unless the rollout is an explicit rollback (rollback: true)`,
        );
      }
      skipped.newerVersion++;
      continue;
    }
    if (rollback && order > 0) {
      skipped.olderVersion++;
      continue;
    }
    chosen.push(d);
  }
  const busy = await busyDevices(
    db,
    chosen.map((d) => d.id),
  );
  skipped.busy = busy.size;
  const deviceIds = chosen.filter((d) => !busy.has(d.id)).map((d) => d.id);
  if (deviceIds.length === 0) {
    throw new HubError(
      'INVALID_STATE',
      `no device to update: ${devices.length} targeted, left out ${JSON.stringify(skipped)}` +
        (skipped.newerVersion > 0 ? ' (a rollback to an older version needs rollback: true)' : ''),
    );
  }
  return { deviceIds, skipped };
}

/** The firmware's spec version must be one each device can take: the same, or an add-only superset. */
async function checkSpecVersions(db: Queryable, pkg: PackageRow, devices: readonly fleet.FleetDevice[]) {
  const versions = [...new Set(devices.map((d) => d.model_version))];
  if (versions.length === 0) return;
  const target = await fleet.modelVersion(db, pkg.model_id, pkg.spec_version);
  if (target?.state !== 'published') {
    throw invalid('/packageId', `spec version ${pkg.spec_version} of ${pkg.model_id} is not published`);
  }
  for (const v of versions) {
    if (v === pkg.spec_version) continue;
    if (v > pkg.spec_version) {
      throw invalid(
        '/packageId',
        `some devices run spec version ${v}; firmware for spec version ${pkg.spec_version} would take features away`,
      );
    }
    const from = await fleet.modelVersion(db, pkg.model_id, v);
    if (!from) continue;
    const changes = diffAddOnly(
      JSON.parse(from.document) as ModelSpec,
      JSON.parse(target.document) as ModelSpec,
    );
    if (changes.length > 0) {
      throw invalid(
        '/packageId',
        `spec version ${pkg.spec_version} is not an add-only superset of version ${v} that devices run: ${changes[0]?.message ?? ''}`,
      );
    }
  }
}
