import type { Migration } from '../migrations.js';

/**
 * Ownership against stock and against earlier owners (issue 10): a device a user has claimed is
 * never stock again, claiming and reserving exclude each other in the database itself, desired
 * state belongs to the users who set it, and sharing does not reveal who has an account.
 */
export const m0070: Migration = {
  version: 70,
  name: 'ownership',
  up: `
    -- Every device that ever had an owner, by model like the free-device table. It is in a user's
    -- hands: never stock again, whoever owns it now (docs/commerce.md, "Catalog, stock and BOM").
    CREATE TABLE commerce_claimed_devices (
      model_id TEXT NOT NULL,
      partner_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      claimed_at INTEGER NOT NULL,         -- the first claim
      PRIMARY KEY (model_id, partner_id, device_id)
    ) STRICT, WITHOUT ROWID;
    CREATE UNIQUE INDEX commerce_claimed_devices_by_device ON commerce_claimed_devices(device_id);

    -- A claim takes the device out of stock in the claim's own transaction, on whichever connection
    -- wrote it; the order path takes devices only from that table, so the two exclude each other.
    CREATE TRIGGER commerce_claim_leaves_stock AFTER INSERT ON device_bindings
      WHEN NEW.role = 'owner'
    BEGIN
      INSERT OR IGNORE INTO commerce_claimed_devices (model_id, partner_id, device_id, claimed_at)
        SELECT model_id, partner_id, id, NEW.created_at FROM devices WHERE id = NEW.device_id;
      DELETE FROM commerce_free_devices
        WHERE model_id = (SELECT model_id FROM devices WHERE id = NEW.device_id)
          AND partner_id = (SELECT partner_id FROM devices WHERE id = NEW.device_id)
          AND device_id = NEW.device_id;
    END;
    -- Second lines of defence behind BindingService.claim and the order path: a device an unpaid
    -- order holds has no owner, and a device that had an owner is never held by an order.
    CREATE TRIGGER commerce_reserved_not_claimable BEFORE INSERT ON device_bindings
      WHEN NEW.role = 'owner' AND EXISTS (SELECT 1 FROM commerce_units
        WHERE device_id = NEW.device_id AND released_at IS NULL AND state = 'reserved')
    BEGIN SELECT RAISE(ABORT, 'the device is reserved for an order'); END;
    CREATE TRIGGER commerce_claimed_not_sellable BEFORE INSERT ON commerce_units
      WHEN EXISTS (SELECT 1 FROM commerce_claimed_devices WHERE device_id = NEW.device_id)
    BEGIN SELECT RAISE(ABORT, 'a claimed device cannot be sold'); END;

    -- Repair what the old code allowed: devices claimed so far leave stock.
    INSERT OR IGNORE INTO commerce_claimed_devices (model_id, partner_id, device_id, claimed_at)
      SELECT d.model_id, d.partner_id, d.id, b.created_at
      FROM device_bindings b JOIN devices d ON d.id = b.device_id WHERE b.role = 'owner';
    INSERT OR IGNORE INTO commerce_claimed_devices (model_id, partner_id, device_id, claimed_at)
      SELECT d.model_id, d.partner_id, d.id, min(a.activated_at)
      FROM commerce_activations a JOIN devices d ON d.id = a.device_id GROUP BY d.id;
    DELETE FROM commerce_free_devices WHERE device_id IN (SELECT device_id FROM commerce_claimed_devices);

    -- Desired values the device refused (it answered the set with an error): the value is no
    -- longer desired, and the last refusal per property is kept so its users can see why.
    CREATE TABLE device_desired_refusals (
      device_id TEXT NOT NULL REFERENCES devices(id),
      property TEXT NOT NULL,
      value TEXT NOT NULL,                 -- JSON, the value refused
      code TEXT NOT NULL,                  -- the device's error code
      message TEXT NOT NULL,
      refused_at INTEGER NOT NULL,
      set_by TEXT NOT NULL,                -- user id of whoever set it
      PRIMARY KEY (device_id, property)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX device_desired_refusals_by_user ON device_desired_refusals(set_by);
    -- Desired values by who set them: a user who loses a device loses what it left pending there.
    CREATE INDEX device_desired_by_user ON device_desired(set_by);

    -- A device shared with an email that has no account yet: the share binds when an account with
    -- that email is registered (docs/protocol.md, "Sharing"), so sharing never tells the owner
    -- whether an email has an account.
    CREATE TABLE device_share_invitations (
      device_id TEXT NOT NULL REFERENCES devices(id),
      email TEXT NOT NULL COLLATE NOCASE,
      invited_by TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL,
      PRIMARY KEY (device_id, email)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX device_share_invitations_by_email ON device_share_invitations(email);

    -- Repair: desired values left behind by owners who unbound their devices before this fix
    -- (devices nobody may control any more must not get them on their next connect).
    DELETE FROM device_desired WHERE device_id NOT IN (SELECT device_id FROM device_bindings);
  `,
};
