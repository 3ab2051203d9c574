import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0060-commerce.ts. The triggers are PL/pgSQL (installed in every database).

// 2^53 - 1: every amount stays a safe integer in JavaScript (docs/commerce.md, "Money").
const MAX = '9007199254740991';

/** UPDATE, DELETE and TRUNCATE refused by the database itself, as SQLite's RAISE(ABORT) triggers do. */
function appendOnly(table: string): string {
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ecohub_refuse_change();
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ecohub_refuse_change();
    CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION ecohub_refuse_change();`;
}

export const m0060: Migration = {
  version: 60,
  name: 'commerce',
  up: `
    CREATE FUNCTION ecohub_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
    END
    $$;

    CREATE TABLE commerce_skus (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL REFERENCES models(id),
      name TEXT,
      price_minor BIGINT NOT NULL CHECK (price_minor BETWEEN 1 AND ${MAX}),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      created_at BIGINT NOT NULL,
      deactivated_at BIGINT
    );
    CREATE UNIQUE INDEX commerce_skus_one_active ON commerce_skus(model_id, currency) WHERE deactivated_at IS NULL;
    CREATE INDEX commerce_skus_by_partner ON commerce_skus(partner_id, created_at);

    -- rowid stands in for SQLite's implicit rowid (the store's same-millisecond tie-break).
    CREATE TABLE commerce_bom_costs (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL REFERENCES models(id),
      cost_minor BIGINT NOT NULL CHECK (cost_minor BETWEEN 0 AND ${MAX}),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      effective_from BIGINT NOT NULL,
      created_at BIGINT NOT NULL,
      rowid BIGINT GENERATED ALWAYS AS IDENTITY
    );
    CREATE INDEX commerce_bom_costs_by_model ON commerce_bom_costs(model_id, effective_from);
    ${appendOnly('commerce_bom_costs')}

    CREATE TABLE commerce_orders (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      status TEXT NOT NULL CHECK (status IN ('reserved', 'paid', 'refunded', 'expired', 'cancelled')),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      total_minor BIGINT NOT NULL CHECK (total_minor BETWEEN 1 AND ${MAX}),
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      paid_at BIGINT,
      payment_event_id TEXT,
      ended_at BIGINT
    );
    CREATE INDEX commerce_orders_by_user ON commerce_orders(user_id, created_at);
    CREATE INDEX commerce_orders_awaiting_payment ON commerce_orders(expires_at) WHERE status = 'reserved';

    CREATE TABLE commerce_order_lines (
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_no BIGINT NOT NULL CHECK (line_no >= 0),
      sku_id TEXT NOT NULL REFERENCES commerce_skus(id),
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor BETWEEN 1 AND ${MAX}),
      quantity BIGINT NOT NULL CHECK (quantity >= 1),
      amount_minor BIGINT NOT NULL CHECK (amount_minor BETWEEN 1 AND ${MAX}),
      refunded_at BIGINT,
      PRIMARY KEY (order_id, line_no)
    );

    CREATE TABLE commerce_free_devices (
      model_id TEXT NOT NULL,
      partner_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      PRIMARY KEY (model_id, partner_id, device_id)
    );
    CREATE TABLE commerce_stocked_batches (
      batch_id TEXT PRIMARY KEY REFERENCES device_batches(id),
      stocked_at BIGINT NOT NULL
    );
    CREATE FUNCTION ecohub_unstock_deleted_device() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM commerce_free_devices
      WHERE model_id = OLD.model_id AND partner_id = OLD.partner_id AND device_id = OLD.id;
      RETURN OLD;
    END
    $$;
    CREATE TRIGGER commerce_stock_on_device_delete AFTER DELETE ON devices
      FOR EACH ROW EXECUTE FUNCTION ecohub_unstock_deleted_device();

    CREATE TABLE commerce_units (
      device_id TEXT NOT NULL REFERENCES devices(id),
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_no BIGINT NOT NULL,
      model_id TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('reserved', 'sold')),
      reserved_at BIGINT NOT NULL,
      released_at BIGINT,
      release_reason TEXT CHECK (release_reason IN ('expired', 'cancelled', 'refunded')),
      CHECK ((released_at IS NULL) = (release_reason IS NULL)),
      PRIMARY KEY (order_id, device_id)
    );
    CREATE UNIQUE INDEX commerce_units_held ON commerce_units(device_id) WHERE released_at IS NULL;
    CREATE INDEX commerce_units_held_by_model ON commerce_units(model_id, state) WHERE released_at IS NULL;

    CREATE TABLE commerce_idempotency_keys (
      user_id TEXT NOT NULL REFERENCES users(id),
      key TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      status BIGINT NOT NULL,
      response TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (user_id, key)
    );

    CREATE TABLE commerce_payment_events (
      id TEXT PRIMARY KEY,
      type TEXT NOT NULL CHECK (type IN ('payment.succeeded', 'refund.succeeded')),
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      amount_minor BIGINT NOT NULL CHECK (amount_minor BETWEEN 1 AND ${MAX}),
      currency TEXT NOT NULL,
      signed_at BIGINT NOT NULL,
      received_at BIGINT NOT NULL
    );
    ${appendOnly('commerce_payment_events')}

    CREATE TABLE commerce_refunds (
      id TEXT PRIMARY KEY,
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_nos TEXT NOT NULL,
      amount_minor BIGINT NOT NULL CHECK (amount_minor BETWEEN 1 AND ${MAX}),
      currency TEXT NOT NULL,
      reason TEXT,
      requested_by TEXT NOT NULL CHECK (requested_by IN ('buyer', 'operator', 'provider')),
      event_id TEXT,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX commerce_refunds_by_order ON commerce_refunds(order_id);
    ${appendOnly('commerce_refunds')}

    CREATE TABLE commerce_activations (
      device_id TEXT NOT NULL REFERENCES devices(id),
      order_id TEXT NOT NULL REFERENCES commerce_orders(id),
      line_no BIGINT NOT NULL,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      user_id TEXT NOT NULL,
      currency TEXT NOT NULL,
      activated_at BIGINT NOT NULL,
      statement_month TEXT NOT NULL,
      PRIMARY KEY (device_id, order_id)
    );
    CREATE INDEX commerce_activations_by_partner ON commerce_activations(partner_id, statement_month);
    ${appendOnly('commerce_activations')}

    CREATE TABLE partner_statement_closures (
      month TEXT PRIMARY KEY CHECK (month ~ '^[0-9]{4}-[01][0-9]$'),
      closed_at BIGINT NOT NULL,
      closed_by TEXT NOT NULL
    );
    ${appendOnly('partner_statement_closures')}

    -- seq is the ledger's order, assigned at insert as SQLite's INTEGER PRIMARY KEY is.
    CREATE TABLE partner_ledger_entries (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund', 'adjustment')),
      statement_month TEXT NOT NULL CHECK (statement_month ~ '^[0-9]{4}-[01][0-9]$'),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      gross_minor BIGINT NOT NULL CHECK (abs(gross_minor) <= ${MAX}),
      commission_minor BIGINT NOT NULL CHECK (abs(commission_minor) <= ${MAX}),
      adjustment_minor BIGINT NOT NULL CHECK (abs(adjustment_minor) <= ${MAX}),
      payable_minor BIGINT NOT NULL CHECK (abs(payable_minor) <= ${MAX}),
      rate_bp BIGINT CHECK (rate_bp BETWEEN 0 AND 10000),
      quantity BIGINT NOT NULL CHECK (quantity >= 0),
      order_id TEXT,
      line_no BIGINT,
      reason TEXT,
      created_at BIGINT NOT NULL,
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
    );
    CREATE UNIQUE INDEX partner_ledger_once_per_line ON partner_ledger_entries(order_id, line_no, kind)
      WHERE kind IN ('sale', 'refund');
    CREATE INDEX partner_ledger_by_partner ON partner_ledger_entries(partner_id, statement_month);
    ${appendOnly('partner_ledger_entries')}

    -- Nothing dated in a closed month is written. SQLite has one writer, so its trigger's check
    -- cannot race a closing; here a closing takes the month's advisory lock exclusively and every
    -- insert dated in it takes it shared before looking, so an entry either commits before the
    -- closing or sees it (under READ COMMITTED each statement in the function sees the latest commit).
    CREATE FUNCTION ecohub_lock_closing_month() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(1701015400, hashtext(NEW.month));
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER partner_statement_closures_lock BEFORE INSERT ON partner_statement_closures
      FOR EACH ROW EXECUTE FUNCTION ecohub_lock_closing_month();
    CREATE FUNCTION ecohub_refuse_closed_month() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(1701015400, hashtext(NEW.statement_month));
      IF EXISTS (SELECT 1 FROM partner_statement_closures WHERE month = NEW.statement_month) THEN
        RAISE EXCEPTION 'the statement month is closed';
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER partner_ledger_entries_open_month BEFORE INSERT ON partner_ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ecohub_refuse_closed_month();
    CREATE TRIGGER commerce_activations_open_month BEFORE INSERT ON commerce_activations
      FOR EACH ROW EXECUTE FUNCTION ecohub_refuse_closed_month();
  `,
};
