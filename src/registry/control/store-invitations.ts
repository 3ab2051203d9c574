import { type Db, prepared } from '../../store/database.js';

/** SQL for shares to emails without an account yet; they bind when that email registers. */

export interface InvitationRow {
  readonly device_id: string;
  readonly email: string;
  readonly invited_by: string;
  readonly created_at: number;
}

/** False when this email is already invited to the device (emails compare without case). */
export function insertInvitation(db: Db, row: InvitationRow): boolean {
  return (
    prepared(
      db,
      `INSERT INTO device_share_invitations (device_id, email, invited_by, created_at)
         VALUES (@device_id, @email, @invited_by, @created_at) ON CONFLICT DO NOTHING`,
    ).run(row).changes === 1
  );
}

export function invitationsOf(db: Db, deviceId: string): InvitationRow[] {
  return prepared(db, 'SELECT * FROM device_share_invitations WHERE device_id = ? ORDER BY created_at').all(
    deviceId,
  ) as InvitationRow[];
}

export function deleteInvitation(db: Db, deviceId: string, email: string): boolean {
  return (
    prepared(db, 'DELETE FROM device_share_invitations WHERE device_id = ? AND email = ?').run(
      deviceId,
      email,
    ).changes === 1
  );
}

export function deleteInvitationsOf(db: Db, deviceId: string): void {
  prepared(db, 'DELETE FROM device_share_invitations WHERE device_id = ?').run(deviceId);
}

/** Every invitation to this email, removed: the account now exists and takes them over. */
export function takeInvitations(db: Db, email: string): InvitationRow[] {
  return prepared(db, 'DELETE FROM device_share_invitations WHERE email = ? RETURNING *').all(
    email,
  ) as InvitationRow[];
}

/** Members and open invitations of a device: what the share limit counts. */
export function countShares(db: Db, deviceId: string): number {
  const row = prepared(
    db,
    `SELECT (SELECT count(*) FROM device_bindings WHERE device_id = @d AND role = 'member')
          + (SELECT count(*) FROM device_share_invitations WHERE device_id = @d) AS n`,
  ).get({ d: deviceId }) as { n: number };
  return row.n;
}
