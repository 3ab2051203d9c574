import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0200-flash-sales.ts.

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
      price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
      cap BIGINT NOT NULL CHECK (cap > 0),
      per_user_limit BIGINT NOT NULL CHECK (per_user_limit > 0),
      registration_cap BIGINT CHECK (registration_cap > 0),
      registrations BIGINT NOT NULL DEFAULT 0,
      registration_opens_at BIGINT NOT NULL,
      opens_at BIGINT NOT NULL,
      closes_at BIGINT NOT NULL,
      mode TEXT NOT NULL CHECK (mode IN ('first_come', 'draw')),
      seed TEXT NOT NULL,
      seed_hash TEXT NOT NULL,
      drawn_at BIGINT,
      payment_window_ms BIGINT NOT NULL CHECK (payment_window_ms > 0),
      offer_hold_ms BIGINT NOT NULL CHECK (offer_hold_ms > 0),
      waitlist_cap BIGINT NOT NULL CHECK (waitlist_cap >= 0),
      waitlist_seq BIGINT NOT NULL DEFAULT 0,
      taken BIGINT NOT NULL DEFAULT 0,
      sold BIGINT NOT NULL DEFAULT 0,
      codes_outstanding BIGINT NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      CHECK (taken >= 0 AND taken <= cap AND sold >= 0 AND sold <= taken AND codes_outstanding >= 0),
      CHECK (registration_opens_at <= opens_at AND opens_at < closes_at)
    );
    CREATE INDEX flash_sales_by_partner ON flash_sales(partner_id, created_at, id);
    CREATE INDEX flash_sales_by_opening ON flash_sales(opens_at, id);

    CREATE TABLE flash_registrations (
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      ticket TEXT NOT NULL,
      registered_at BIGINT NOT NULL,
      PRIMARY KEY (sale_id, user_id),
      UNIQUE (sale_id, seq),
      UNIQUE (ticket)
    );

    CREATE TABLE flash_purchases (
      id TEXT PRIMARY KEY,
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      quantity BIGINT NOT NULL CHECK (quantity > 0),
      amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
      source TEXT NOT NULL CHECK (source IN ('open', 'draw', 'code', 'waitlist')),
      status TEXT NOT NULL CHECK (status IN ('reserved', 'paid', 'expired', 'cancelled')),
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      paid_at BIGINT,
      ended_at BIGINT,
      payment_event_id TEXT,
      order_id TEXT,
      fulfilled_at BIGINT
    );
    CREATE UNIQUE INDEX flash_purchases_one_active ON flash_purchases(sale_id, user_id) WHERE status = 'reserved';
    CREATE INDEX flash_purchases_by_expiry ON flash_purchases(status, expires_at);
    CREATE INDEX flash_purchases_by_sale ON flash_purchases(sale_id, created_at, id);
    CREATE INDEX flash_purchases_by_user ON flash_purchases(user_id, created_at, id);
    CREATE INDEX flash_purchases_unfulfilled ON flash_purchases(paid_at, id) WHERE status = 'paid' AND fulfilled_at IS NULL;
    CREATE TABLE flash_user_units (
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      units BIGINT NOT NULL CHECK (units >= 0),
      PRIMARY KEY (sale_id, user_id)
    );

    CREATE TABLE flash_waitlist (
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'lapsed', 'bought')),
      joined_at BIGINT NOT NULL,
      purchase_id TEXT,
      PRIMARY KEY (sale_id, user_id),
      UNIQUE (sale_id, seq)
    );
    CREATE INDEX flash_waitlist_waiting ON flash_waitlist(sale_id, status, seq);

    CREATE TABLE flash_codes (
      id TEXT PRIMARY KEY,
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      code_hash BYTEA NOT NULL UNIQUE,
      issued_by TEXT NOT NULL,
      issued_at BIGINT NOT NULL,
      redeemed_by TEXT,
      redeemed_at BIGINT,
      purchase_id TEXT
    );
    CREATE INDEX flash_codes_by_sale ON flash_codes(sale_id, issued_at, id);
    CREATE TABLE flash_idempotency (
      user_id TEXT NOT NULL,
      key TEXT NOT NULL,
      sale_id TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      status BIGINT NOT NULL,
      response TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (user_id, key)
    );

    CREATE TABLE flash_payment_events (
      id TEXT PRIMARY KEY,
      purchase_id TEXT NOT NULL REFERENCES flash_purchases(id),
      amount_minor BIGINT NOT NULL,
      currency TEXT NOT NULL,
      received_at BIGINT NOT NULL
    );
  `,
};
