import type { Migration } from '../migrations.js';

/**
 * Flash sales (docs/flash-sales.md): capped sales with registrations, priority codes, a committed
 * draw seed, reservations with a payment window, and a waitlist. The cap is a column of the sale
 * (`taken` = units reserved + sold + held by unredeemed codes) moved only by conditional updates, with
 * a CHECK as the second line of defence: no interleaving of buyers can push it past `cap`.
 */
export const m0200: Migration = {
  version: 200,
  name: 'flash-sales',
  up: `
    CREATE TABLE flash_sales (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      sku_id TEXT NOT NULL,
      model_id TEXT NOT NULL,
      name TEXT NOT NULL,
      currency TEXT NOT NULL,
      price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
      cap INTEGER NOT NULL CHECK (cap > 0),
      per_user_limit INTEGER NOT NULL CHECK (per_user_limit > 0),
      registration_cap INTEGER CHECK (registration_cap > 0),
      registrations INTEGER NOT NULL DEFAULT 0,
      registration_opens_at INTEGER NOT NULL,
      opens_at INTEGER NOT NULL,
      closes_at INTEGER NOT NULL,
      mode TEXT NOT NULL CHECK (mode IN ('first_come', 'draw')),
      seed TEXT NOT NULL,
      seed_hash TEXT NOT NULL,
      drawn_at INTEGER,
      payment_window_ms INTEGER NOT NULL CHECK (payment_window_ms > 0),
      offer_hold_ms INTEGER NOT NULL CHECK (offer_hold_ms > 0),
      waitlist_cap INTEGER NOT NULL CHECK (waitlist_cap >= 0),
      waitlist_seq INTEGER NOT NULL DEFAULT 0,
      taken INTEGER NOT NULL DEFAULT 0,
      sold INTEGER NOT NULL DEFAULT 0,
      codes_outstanding INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      CHECK (taken >= 0 AND taken <= cap AND sold >= 0 AND sold <= taken AND codes_outstanding >= 0),
      CHECK (registration_opens_at <= opens_at AND opens_at < closes_at)
    );
    CREATE INDEX flash_sales_by_partner ON flash_sales(partner_id, created_at, id);
    CREATE INDEX flash_sales_by_opening ON flash_sales(opens_at, id);

    CREATE TABLE flash_registrations (
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      ticket TEXT NOT NULL,
      registered_at INTEGER NOT NULL,
      PRIMARY KEY (sale_id, user_id),
      UNIQUE (sale_id, seq),
      UNIQUE (ticket)
    );

    CREATE TABLE flash_purchases (
      id TEXT PRIMARY KEY,
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity > 0),
      amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
      source TEXT NOT NULL CHECK (source IN ('open', 'draw', 'code', 'waitlist')),
      status TEXT NOT NULL CHECK (status IN ('reserved', 'paid', 'expired', 'cancelled')),
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      paid_at INTEGER,
      ended_at INTEGER,
      payment_event_id TEXT,
      order_id TEXT,
      fulfilled_at INTEGER
    );
    -- One active (unpaid) reservation per user per sale.
    CREATE UNIQUE INDEX flash_purchases_one_active ON flash_purchases(sale_id, user_id) WHERE status = 'reserved';
    CREATE INDEX flash_purchases_by_expiry ON flash_purchases(status, expires_at);
    CREATE INDEX flash_purchases_by_sale ON flash_purchases(sale_id, created_at, id);
    CREATE INDEX flash_purchases_by_user ON flash_purchases(user_id, created_at, id);
    CREATE INDEX flash_purchases_unfulfilled ON flash_purchases(paid_at, id) WHERE status = 'paid' AND fulfilled_at IS NULL;

    -- Units a user holds (reserved or paid) in a sale: the per-user limit is a conditional update here.
    CREATE TABLE flash_user_units (
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      units INTEGER NOT NULL CHECK (units >= 0),
      PRIMARY KEY (sale_id, user_id)
    );

    CREATE TABLE flash_waitlist (
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'lapsed', 'bought')),
      joined_at INTEGER NOT NULL,
      purchase_id TEXT,
      PRIMARY KEY (sale_id, user_id),
      UNIQUE (sale_id, seq)
    );
    CREATE INDEX flash_waitlist_waiting ON flash_waitlist(sale_id, status, seq);

    CREATE TABLE flash_codes (
      id TEXT PRIMARY KEY,
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      code_hash BLOB NOT NULL UNIQUE,
      issued_by TEXT NOT NULL,
      issued_at INTEGER NOT NULL,
      redeemed_by TEXT,
      redeemed_at INTEGER,
      purchase_id TEXT
    );
    CREATE INDEX flash_codes_by_sale ON flash_codes(sale_id, issued_at, id);

    -- A purchase answer stored with its Idempotency-Key in the same transaction (per user).
    CREATE TABLE flash_idempotency (
      user_id TEXT NOT NULL,
      key TEXT NOT NULL,
      sale_id TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      status INTEGER NOT NULL,
      response TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (user_id, key)
    );

    CREATE TABLE flash_payment_events (
      id TEXT PRIMARY KEY,
      purchase_id TEXT NOT NULL REFERENCES flash_purchases(id),
      amount_minor INTEGER NOT NULL,
      currency TEXT NOT NULL,
      received_at INTEGER NOT NULL
    );
  `,
};
