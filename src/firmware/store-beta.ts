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
