import type { Queryable } from '../../store/engine.js';
import { sql } from '../../store/sql.js';

/** SQL for shares to emails without an account yet; they bind when that email registers. */

export interface InvitationRow {
  readonly device_id: string;
  readonly email: string;
  readonly invited_by: string;
  readonly created_at: number;
}

const COLUMNS = sql`device_id, email, invited_by, created_at`;

/** False when this email is already invited to the device (emails compare without case). */
export async function insertInvitation(db: Queryable, row: InvitationRow): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO device_share_invitations (device_id, email, invited_by, created_at)
        VALUES (${row.device_id}, ${row.email}, ${row.invited_by}, ${row.created_at}) ON CONFLICT DO NOTHING`,
  );
  return changes === 1;
}

export function invitationsOf(db: Queryable, deviceId: string): Promise<InvitationRow[]> {
  return db.many<InvitationRow>(
    sql`SELECT ${COLUMNS} FROM device_share_invitations WHERE device_id = ${deviceId} ORDER BY created_at, email`,
  );
}

export async function deleteInvitation(db: Queryable, deviceId: string, email: string): Promise<boolean> {
  const { changes } = await db.run(
    sql`DELETE FROM device_share_invitations WHERE device_id = ${deviceId} AND email = ${email}`,
  );
  return changes === 1;
}

export async function deleteInvitationsOf(db: Queryable, deviceId: string): Promise<void> {
  await db.run(sql`DELETE FROM device_share_invitations WHERE device_id = ${deviceId}`);
}

/** Every invitation to this email, removed: the account now exists and takes them over. */
export async function takeInvitations(db: Queryable, email: string): Promise<InvitationRow[]> {
  const { rows } = await db.run<InvitationRow>(
    sql`DELETE FROM device_share_invitations WHERE email = ${email} RETURNING ${COLUMNS}`,
  );
  return [...rows];
}

/** Members and open invitations of a device: what the share limit counts. */
export async function countShares(db: Queryable, deviceId: string): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT (SELECT count(*) FROM device_bindings WHERE device_id = ${deviceId} AND role = 'member')
             + (SELECT count(*) FROM device_share_invitations WHERE device_id = ${deviceId}) AS n`,
  );
  return row?.n ?? 0;
}
