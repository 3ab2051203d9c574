import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export async function enrol(db: Queryable, deviceId: string, userId: string, at: number): Promise<void> {
  await db.run(
    sql`INSERT INTO firmware_beta_devices (device_id, user_id, enrolled_at) VALUES (${deviceId}, ${userId}, ${at})
        ON CONFLICT (device_id) DO UPDATE SET user_id = ${userId}`,
  );
}

export async function leave(db: Queryable, deviceId: string): Promise<boolean> {
  const { changes } = await db.run(sql`DELETE FROM firmware_beta_devices WHERE device_id = ${deviceId}`);
  return changes === 1;
}

export function enrolment(
  db: Queryable,
  deviceId: string,
): Promise<{ user_id: string; enrolled_at: number } | undefined> {
  return db.one(sql`SELECT user_id, enrolled_at FROM firmware_beta_devices WHERE device_id = ${deviceId}`);
}

/** Beta devices of a model whose enrolling user still owns them (an owner change ends the opt-in). */
export async function betaDevicesOfModel(db: Queryable, modelId: string): Promise<string[]> {
  const rows = await db.many<{ id: string }>(
    sql`SELECT d.id FROM firmware_beta_devices b
        JOIN devices d ON d.id = b.device_id
        JOIN device_bindings o ON o.device_id = b.device_id AND o.user_id = b.user_id AND o.role = 'owner'
        WHERE d.model_id = ${modelId} ORDER BY d.id`,
  );
  return rows.map((r) => r.id);
}

/** One device's update to a release through a beta rollout, with what tester credit needs to know. */
export interface BetaTestRow {
  readonly package_id: string;
  readonly model_id: string;
  readonly version: string;
  readonly device_id: string;
  readonly succeeded_at: number;
  readonly offline_after: boolean;
  readonly online: boolean;
  readonly last_seen_at: number | null;
  /** The user who keeps the device on beta now; null once it left beta. */
  readonly beta_user: string | null;
  readonly stable_at: number | null;
}

const BETA_TESTS = sql`SELECT r.package_id, p.model_id, p.version, e.device_id, e.succeeded_at, e.offline_after,
    d.online, d.last_seen_at, b.user_id AS beta_user, p.stable_at
  FROM firmware_executions e
  JOIN firmware_rollouts r ON r.id = e.rollout_id
  JOIN firmware_packages p ON p.id = r.package_id
  JOIN devices d ON d.id = e.device_id
  LEFT JOIN firmware_beta_devices b ON b.device_id = e.device_id
  WHERE e.state = 'succeeded' AND r.target LIKE '%"channel":"beta"%'`;

/** Devices a release reached through its beta rollouts. */
export function betaTestsOfPackage(db: Queryable, packageId: string): Promise<BetaTestRow[]> {
  return db.many<BetaTestRow>(
    sql`${BETA_TESTS} AND r.package_id = ${packageId} ORDER BY e.device_id LIMIT 100000`,
  );
}

/** Beta updates of the devices a user keeps on beta (its tester credit), newest release first. */
export function betaTestsOfUser(db: Queryable, userId: string): Promise<BetaTestRow[]> {
  return db.many<BetaTestRow>(
    sql`${BETA_TESTS} AND b.user_id = ${userId} ORDER BY e.succeeded_at DESC LIMIT 10000`,
  );
}
