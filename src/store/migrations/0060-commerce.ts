import type { Migration } from '../migrations.js';

// 2^53 - 1: every amount stays a safe integer in JavaScript (docs/commerce.md, "Money").
const MAX = '9007199254740991';

function appendOnly(table: string): string {
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;`;
}

export const m0060: Migration = {
  version: 60,
  name: 'commerce',
  up: `
    -- A partner's listing of one published model at one price. The price never changes: re-pricing
    -- lists a new SKU, which replaces the active one for that model and currency.
    CREATE TABLE commerce_skus (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL REFERENCES models(id),
      name TEXT,
      price_minor INTEGER NOT NULL CHECK (price_minor BETWEEN 1 AND ${MAX}),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      created_at INTEGER NOT NULL,
      deactivated_at INTEGER
    ) STRICT;
    CREATE UNIQUE INDEX commerce_skus_one_active ON commerce_skus(model_id, currency) WHERE deactivated_at IS NULL;
    CREATE INDEX commerce_skus_by_partner ON commerce_skus(partner_id, created_at);

    -- Bill-of-materials cost per unit of a model over time. The cost in force at t is the row with
    -- the latest effective_from <= t (ties: the latest written).
    CREATE TABLE commerce_bom_costs (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL REFERENCES models(id),
      cost_minor INTEGER NOT NULL CHECK (cost_minor BETWEEN 0 AND ${MAX}),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      effective_from INTEGER NOT NULL,     -- ms, UTC midnight
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX commerce_bom_costs_by_model ON commerce_bom_costs(model_id, effective_from);
    ${appendOnly('commerce_bom_costs')}

    -- reserved -> paid (-> refunded once every line is) | expired | cancelled.
    CREATE TABLE commerce_orders (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      status TEXT NOT NULL CHECK (status IN ('reserved', 'paid', 'refunded', 'expired', 'cancelled')),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      total_minor INTEGER NOT NULL CHECK (total_minor BETWEEN 1 AND ${MAX}),
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,         -- payment must arrive before this
      paid_at INTEGER,
      payment_event_id TEXT,
      ended_at INTEGER                     -- when it expired or was cancelled
    ) STRICT;
    CREATE INDEX commerce_orders_by_user ON commerce_orders(user_id, created_at);
    CREATE INDEX commerce_orders_awaiting_payment ON commerce_orders(expires_at) WHERE status = 'reserved';

    CREATE TABLE commerce_order_lines (
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_no INTEGER NOT NULL CHECK (line_no >= 0),
      sku_id TEXT NOT NULL REFERENCES commerce_skus(id),
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor BETWEEN 1 AND ${MAX}),
      quantity INTEGER NOT NULL CHECK (quantity >= 1),
      amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 1 AND ${MAX}),
      refunded_at INTEGER,
      PRIMARY KEY (order_id, line_no)
    ) STRICT, WITHOUT ROWID;

    -- Stock: provisioned devices no order holds, one row each, clustered by model so taking N of
    -- a model reads N rows however many were sold before. A provisioning batch enters stock as a
    -- whole (one INSERT ... SELECT, at the next order or sweep): a per-row trigger on devices would
    -- double the cost of provisioning 100,000 devices.
    CREATE TABLE commerce_free_devices (
      model_id TEXT NOT NULL,
      partner_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      PRIMARY KEY (model_id, partner_id, device_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE commerce_stocked_batches (
      batch_id TEXT PRIMARY KEY REFERENCES device_batches(id),
      stocked_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TRIGGER commerce_stock_on_device_delete AFTER DELETE ON devices BEGIN
      DELETE FROM commerce_free_devices
      WHERE model_id = OLD.model_id AND partner_id = OLD.partner_id AND device_id = OLD.id;
    END;

    -- Which device each order line holds. A device is held by at most one live row (reserved or
    -- sold); expiry, cancellation and refund release it back into stock.
    CREATE TABLE commerce_units (
      device_id TEXT NOT NULL REFERENCES devices(id),
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_no INTEGER NOT NULL,
      model_id TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('reserved', 'sold')),
      reserved_at INTEGER NOT NULL,
      released_at INTEGER,
      release_reason TEXT CHECK (release_reason IN ('expired', 'cancelled', 'refunded')),
      CHECK ((released_at IS NULL) = (release_reason IS NULL)),
      PRIMARY KEY (order_id, device_id)
    ) STRICT, WITHOUT ROWID;
    CREATE UNIQUE INDEX commerce_units_held ON commerce_units(device_id) WHERE released_at IS NULL;
    CREATE INDEX commerce_units_held_by_model ON commerce_units(model_id, state) WHERE released_at IS NULL;

    -- POST /v1/orders by Idempotency-Key, per user: the request's hash and the exact response sent.
    CREATE TABLE commerce_idempotency_keys (
      user_id TEXT NOT NULL REFERENCES users(id),
      key TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      status INTEGER NOT NULL,
      response TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (user_id, key)
    ) STRICT, WITHOUT ROWID;

    -- Every payment-provider event applied, by the provider's event id: a replay is refused.
    CREATE TABLE commerce_payment_events (
      id TEXT PRIMARY KEY,
      type TEXT NOT NULL CHECK (type IN ('payment.succeeded', 'refund.succeeded')),
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 1 AND ${MAX}),
      currency TEXT NOT NULL,
      signed_at INTEGER NOT NULL,          -- the signature timestamp, ms
      received_at INTEGER NOT NULL
    ) STRICT;
    ${appendOnly('commerce_payment_events')}

    CREATE TABLE commerce_refunds (
      id TEXT PRIMARY KEY,
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_nos TEXT NOT NULL,              -- JSON array of the order's line numbers
      amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 1 AND ${MAX}),
      currency TEXT NOT NULL,
      reason TEXT,
      requested_by TEXT NOT NULL CHECK (requested_by IN ('buyer', 'operator', 'provider')),
      event_id TEXT,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX commerce_refunds_by_order ON commerce_refunds(order_id);
    ${appendOnly('commerce_refunds')}

    -- Sale -> device -> activation: the first claim of a sold device.
    CREATE TABLE commerce_activations (
      device_id TEXT NOT NULL REFERENCES devices(id),
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_no INTEGER NOT NULL,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      user_id TEXT NOT NULL,
      currency TEXT NOT NULL,
      activated_at INTEGER NOT NULL,
      statement_month TEXT NOT NULL,
      PRIMARY KEY (device_id, order_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX commerce_activations_by_partner ON commerce_activations(partner_id, statement_month);
    ${appendOnly('commerce_activations')}

    -- Months the operator closed; nothing dated in them may be written afterwards.
    CREATE TABLE partner_statement_closures (
      month TEXT PRIMARY KEY CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
      closed_at INTEGER NOT NULL,
      closed_by TEXT NOT NULL
    ) STRICT;
    ${appendOnly('partner_statement_closures')}

    -- The commission ledger: append-only (triggers refuse UPDATE and DELETE). payable_minor is what
    -- the entry adds to what the hub owes the partner: gross - commission + adjustment.
    CREATE TABLE partner_ledger_entries (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund', 'adjustment')),
      statement_month TEXT NOT NULL CHECK (statement_month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      gross_minor INTEGER NOT NULL CHECK (abs(gross_minor) <= ${MAX}),
      commission_minor INTEGER NOT NULL CHECK (abs(commission_minor) <= ${MAX}),
      adjustment_minor INTEGER NOT NULL CHECK (abs(adjustment_minor) <= ${MAX}),
      payable_minor INTEGER NOT NULL CHECK (abs(payable_minor) <= ${MAX}),
      rate_bp INTEGER CHECK (rate_bp BETWEEN 0 AND 10000),
      quantity INTEGER NOT NULL CHECK (quantity >= 0),
      order_id TEXT,
      line_no INTEGER,
      reason TEXT,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      CHECK (payable_minor = gross_minor - commission_minor + adjustment_minor),
      CHECK (
        (kind = 'sale' AND gross_minor > 0 AND commission_minor BETWEEN 0 AND gross_minor
          AND adjustment_minor = 0 AND order_id IS NOT NULL AND line_no IS NOT NULL AND rate_bp IS NOT NULL)
        OR (kind = 'refund' AND gross_minor < 0 AND commission_minor BETWEEN gross_minor AND 0
          AND adjustment_minor = 0 AND order_id IS NOT NULL AND line_no IS NOT NULL AND rate_bp IS NOT NULL)
        OR (kind = 'adjustment' AND gross_minor = 0 AND commission_minor = 0 AND adjustment_minor <> 0
          AND reason IS NOT NULL AND quantity = 0)
      )
    ) STRICT;
    CREATE UNIQUE INDEX partner_ledger_once_per_line ON partner_ledger_entries(order_id, line_no, kind)
      WHERE kind IN ('sale', 'refund');
    CREATE INDEX partner_ledger_by_partner ON partner_ledger_entries(partner_id, statement_month);
    ${appendOnly('partner_ledger_entries')}
    CREATE TRIGGER partner_ledger_entries_open_month BEFORE INSERT ON partner_ledger_entries
      WHEN EXISTS (SELECT 1 FROM partner_statement_closures WHERE month = NEW.statement_month)
      BEGIN SELECT RAISE(ABORT, 'the statement month is closed'); END;
    CREATE TRIGGER commerce_activations_open_month BEFORE INSERT ON commerce_activations
      WHEN EXISTS (SELECT 1 FROM partner_statement_closures WHERE month = NEW.statement_month)
      BEGIN SELECT RAISE(ABORT, 'the statement month is closed'); END;
  `,
};
