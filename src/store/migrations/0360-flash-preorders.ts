import type { Migration } from '../migrations.js';

// 2^53 - 1: every amount stays a safe integer in JavaScript (docs/commerce.md, "Money").
const MAX = '9007199254740991';

/**
 * Pre-orders paid by deposit, production batches held by margin (docs/flash-sales.md, "Pre-orders"
 * and "Production batches"). A deposit sale's paid purchase becomes a pre-order that waits for a
 * production batch; deposits move only through the append-only deposit ledger.
 */
export const m0360: Migration = {
  version: 360,
  name: 'flash-preorders',
  up: `
    ALTER TABLE flash_sales ADD COLUMN payment TEXT NOT NULL DEFAULT 'full' CHECK (payment IN ('full', 'deposit'));
    ALTER TABLE flash_sales ADD COLUMN deposit_minor INTEGER CHECK (deposit_minor >= 1);
    ALTER TABLE flash_sales ADD COLUMN balance_window_ms INTEGER CHECK (balance_window_ms >= 1000);
    ALTER TABLE flash_sales ADD COLUMN missed_balance TEXT CHECK (missed_balance IN ('forfeit', 'refund'));

    -- waiting (deposit paid, no unit yet) -> allocated (a batch's devices held by a store order, balance
    -- due) -> balance_paid -> completed (the order is paid) | forfeited | refunded.
    CREATE TABLE flash_preorders (
      purchase_id TEXT PRIMARY KEY REFERENCES flash_purchases(id),
      sale_id TEXT NOT NULL REFERENCES flash_sales(id),
      user_id TEXT NOT NULL,
      partner_id TEXT NOT NULL,
      model_id TEXT NOT NULL,
      sku_id TEXT NOT NULL,
      currency TEXT NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity >= 1),
      price_minor INTEGER NOT NULL CHECK (price_minor BETWEEN 1 AND ${MAX}),
      deposit_minor INTEGER NOT NULL CHECK (deposit_minor BETWEEN 1 AND price_minor),
      balance_minor INTEGER NOT NULL CHECK (balance_minor = price_minor - deposit_minor),
      missed_balance TEXT NOT NULL CHECK (missed_balance IN ('forfeit', 'refund')),
      balance_window_ms INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('waiting', 'allocated', 'balance_paid', 'completed', 'forfeited', 'refunded')),
      deposit_paid_at INTEGER NOT NULL,
      batch_id TEXT,
      order_id TEXT,
      allocated_at INTEGER,
      balance_due_at INTEGER,
      balance_event_id TEXT,
      balance_paid_at INTEGER,
      ended_at INTEGER
    ) STRICT;
    CREATE INDEX flash_preorders_queue ON flash_preorders(model_id, status, deposit_paid_at, purchase_id);
    CREATE INDEX flash_preorders_due ON flash_preorders(status, balance_due_at);
    CREATE INDEX flash_preorders_by_user ON flash_preorders(user_id, deposit_paid_at);

    -- Deposits the hub holds: + when paid, - when applied to the price, forfeited or refunded.
    -- Append-only; each kind once per pre-order.
    CREATE TABLE flash_deposit_entries (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      purchase_id TEXT NOT NULL REFERENCES flash_preorders(purchase_id),
      kind TEXT NOT NULL CHECK (kind IN ('deposit', 'applied', 'forfeited', 'refunded')),
      statement_month TEXT NOT NULL CHECK (statement_month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
      currency TEXT NOT NULL,
      amount_minor INTEGER NOT NULL CHECK (abs(amount_minor) <= ${MAX}),
      created_at INTEGER NOT NULL,
      CHECK ((kind = 'deposit') = (amount_minor > 0)),
      UNIQUE (purchase_id, kind)
    ) STRICT;
    CREATE INDEX flash_deposit_entries_by_partner ON flash_deposit_entries(partner_id, statement_month);
    CREATE TRIGGER flash_deposit_entries_no_update BEFORE UPDATE ON flash_deposit_entries
      BEGIN SELECT RAISE(ABORT, 'flash_deposit_entries is append-only'); END;
    CREATE TRIGGER flash_deposit_entries_no_delete BEFORE DELETE ON flash_deposit_entries
      BEGIN SELECT RAISE(ABORT, 'flash_deposit_entries is append-only'); END;
    CREATE TRIGGER flash_deposit_entries_open_month BEFORE INSERT ON flash_deposit_entries
      WHEN EXISTS (SELECT 1 FROM partner_statement_closures WHERE month = NEW.statement_month)
      BEGIN SELECT RAISE(ABORT, 'the statement month is closed'); END;

    -- A provisioning batch as a production batch: its BOM cost per unit at build time, and an
    -- optional hold until the margin at the current price reaches min_margin_bp.
    CREATE TABLE flash_batches (
      batch_id TEXT PRIMARY KEY REFERENCES device_batches(id),
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      currency TEXT NOT NULL,
      units INTEGER NOT NULL CHECK (units >= 1),
      bom_cost_minor INTEGER NOT NULL CHECK (bom_cost_minor BETWEEN 0 AND ${MAX}),
      min_margin_bp INTEGER CHECK (min_margin_bp BETWEEN -10000 AND 10000),
      status TEXT NOT NULL CHECK (status IN ('held', 'released')),
      allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0 AND allocated <= units),
      created_at INTEGER NOT NULL,
      released_at INTEGER,
      release_reason TEXT CHECK (release_reason IN ('not_held', 'margin', 'partner')),
      released_price_minor INTEGER,
      released_cost_minor INTEGER,
      released_margin_bp INTEGER,
      CHECK ((status = 'released') = (released_at IS NOT NULL))
    ) STRICT;
    CREATE INDEX flash_batches_by_model ON flash_batches(model_id, created_at);
    CREATE INDEX flash_batches_held ON flash_batches(status, created_at) WHERE status = 'held';
  `,
};
