import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0070-ownership.ts; the triggers are PL/pgSQL. SQLite has one writer, so
// its triggers' EXISTS checks cannot race. Here a claim (owner binding) and a sale (order unit) of
// the same device both take the device's advisory lock before they look, so one commits before the
// other looks and sees it (under READ COMMITTED each statement in a function sees the latest
// commit): claiming and reserving exclude each other as on SQLite. A claim takes the device's
// free-stock row before that lock, in the order the order path takes them (it deletes free rows,
// then inserts its units), so the two never deadlock.
export const m0070: Migration = {
  version: 70,
  name: 'ownership',
  up: `
    CREATE TABLE commerce_claimed_devices (
      model_id TEXT NOT NULL,
      partner_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      claimed_at BIGINT NOT NULL,
      PRIMARY KEY (model_id, partner_id, device_id)
    );
    CREATE UNIQUE INDEX commerce_claimed_devices_by_device ON commerce_claimed_devices(device_id);

    -- The lock a claim and a sale of one device share (key space 1701015470: "ecohub 0070").
    CREATE FUNCTION ecohub_lock_device_ownership(device_id TEXT) RETURNS void LANGUAGE sql AS $$
      SELECT pg_advisory_xact_lock(1701015470, hashtext(device_id));
    $$;

    -- A claim takes the device out of stock (before the lock: see above; rolled back with the claim
    -- when it is refused) and records it as claimed, in the claim's own transaction.
    CREATE FUNCTION ecohub_reserved_not_claimable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM commerce_free_devices f USING devices d
        WHERE d.id = NEW.device_id
          AND f.model_id = d.model_id AND f.partner_id = d.partner_id AND f.device_id = d.id;
      PERFORM ecohub_lock_device_ownership(NEW.device_id);
      IF EXISTS (SELECT 1 FROM commerce_units
          WHERE device_id = NEW.device_id AND released_at IS NULL AND state = 'reserved') THEN
        RAISE EXCEPTION 'the device is reserved for an order';
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER commerce_reserved_not_claimable BEFORE INSERT ON device_bindings
      FOR EACH ROW WHEN (NEW.role = 'owner') EXECUTE FUNCTION ecohub_reserved_not_claimable();

    CREATE FUNCTION ecohub_claim_leaves_stock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO commerce_claimed_devices (model_id, partner_id, device_id, claimed_at)
        SELECT model_id, partner_id, id, NEW.created_at FROM devices WHERE id = NEW.device_id
        ON CONFLICT DO NOTHING;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER commerce_claim_leaves_stock AFTER INSERT ON device_bindings
      FOR EACH ROW WHEN (NEW.role = 'owner') EXECUTE FUNCTION ecohub_claim_leaves_stock();

    CREATE FUNCTION ecohub_claimed_not_sellable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ecohub_lock_device_ownership(NEW.device_id);
      IF EXISTS (SELECT 1 FROM commerce_claimed_devices WHERE device_id = NEW.device_id) THEN
        RAISE EXCEPTION 'a claimed device cannot be sold';
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER commerce_claimed_not_sellable BEFORE INSERT ON commerce_units
      FOR EACH ROW EXECUTE FUNCTION ecohub_claimed_not_sellable();

    -- Repair what the old code allowed: devices claimed so far leave stock.
    INSERT INTO commerce_claimed_devices (model_id, partner_id, device_id, claimed_at)
      SELECT d.model_id, d.partner_id, d.id, b.created_at
      FROM device_bindings b JOIN devices d ON d.id = b.device_id WHERE b.role = 'owner'
      ON CONFLICT DO NOTHING;
    INSERT INTO commerce_claimed_devices (model_id, partner_id, device_id, claimed_at)
      SELECT d.model_id, d.partner_id, d.id, min(a.activated_at)
      FROM commerce_activations a JOIN devices d ON d.id = a.device_id GROUP BY d.id
      ON CONFLICT DO NOTHING;
    DELETE FROM commerce_free_devices WHERE device_id IN (SELECT device_id FROM commerce_claimed_devices);

    CREATE TABLE device_desired_refusals (
      device_id TEXT NOT NULL REFERENCES devices(id),
      property TEXT NOT NULL,
      value TEXT NOT NULL,
      code TEXT NOT NULL,
      message TEXT NOT NULL,
      refused_at BIGINT NOT NULL,
      set_by TEXT NOT NULL,
      PRIMARY KEY (device_id, property)
    );
    CREATE INDEX device_desired_refusals_by_user ON device_desired_refusals(set_by);
    CREATE INDEX device_desired_by_user ON device_desired(set_by);

    -- email compares without case (SQLite's COLLATE NOCASE; the collation is from 0010).
    CREATE TABLE device_share_invitations (
      device_id TEXT NOT NULL REFERENCES devices(id),
      email TEXT COLLATE ecohub_nocase NOT NULL,
      invited_by TEXT NOT NULL REFERENCES users(id),
      created_at BIGINT NOT NULL,
      PRIMARY KEY (device_id, email)
    );
    CREATE INDEX device_share_invitations_by_email ON device_share_invitations(email);

    DELETE FROM device_desired WHERE device_id NOT IN (SELECT device_id FROM device_bindings);
  `,
};
