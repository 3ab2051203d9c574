import type { Queryable } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';

/**
 * One row in every table of the hub's schema (commerce_claimed_devices by trigger), with the same SQL on both engines: the seed for
 * tests that check constraints and triggers behave alike.
 */
export async function seedEveryTable(db: Queryable): Promise<void> {
  const t = 1_700_000_000_000;
  const hash = Buffer.alloc(32, 7);
  const rows = [
    sql`INSERT INTO users (id, email, password_hash, display_name, created_at)
        VALUES ('u1', 'Ann@Example.com', 'scrypt$x', NULL, ${t})`,
    sql`INSERT INTO user_tokens (id, user_id, secret_hash, created_at, expires_at) VALUES ('ut1', 'u1', ${hash}, ${t}, ${t + 1})`,
    sql`INSERT INTO admin_tokens (id, secret_hash, label, created_at) VALUES ('env', ${hash}, 'env', ${t})`,
    sql`INSERT INTO partner_applications (id, slug, company, contact_email, website, categories, status, created_at)
        VALUES ('pa1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'approved', ${t})`,
    sql`INSERT INTO partners (id, slug, company, contact_email, website, categories, application_id, created_at)
        VALUES ('p1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'pa1', ${t})`,
    sql`INSERT INTO partner_api_keys (id, partner_id, secret_hash, label, created_at) VALUES ('k1', 'p1', ${hash}, 'ci', ${t})`,
    sql`INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, created_at, created_by)
        VALUES ('c1', 'p1', 500, ${t}, ${t}, 'op')`,
    sql`INSERT INTO models (id, partner_id, category, created_at) VALUES ('acme.light.bulb1', 'p1', 'light', ${t})`,
    sql`INSERT INTO model_versions (model_id, version, state, document, created_at, updated_at)
        VALUES ('acme.light.bulb1', 1, 'published', '{}', ${t}, ${t})`,
    sql`INSERT INTO device_batches (id, partner_id, model_id, model_version, size, created_at)
        VALUES ('b1', 'p1', 'acme.light.bulb1', 1, 2, ${t})`,
    sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, blocked, created_at, online)
        VALUES ('d1', 'p1', 'acme.light.bulb1', 1, 'b1', ${hash}, ${false}, ${t}, ${true})`,
    sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
        VALUES ('d2', 'p1', 'acme.light.bulb1', 1, 'b1', ${hash}, ${t})`,
    sql`INSERT INTO device_shadow (device_id, property, value, reported_at, version) VALUES ('d1', 'light.on', 'true', ${t}, 1)`,
    sql`INSERT INTO device_reports (device_id, seq, received_at) VALUES ('d1', 1, ${t})`,
    sql`INSERT INTO telemetry (device_id, property, ts, seq, value, num) VALUES ('d1', 'light.on', ${t}, 1, 'true', 1)`,
    sql`INSERT INTO device_events (device_id, event, ts, seq, arguments) VALUES ('d1', 'light.fault', ${t}, 2, '[]')`,
    sql`INSERT INTO homes (id, owner_id, name, created_at) VALUES ('h1', 'u1', 'Home', ${t})`,
    sql`INSERT INTO home_members (home_id, user_id, role, created_at) VALUES ('h1', 'u1', 'owner', ${t})`,
    sql`INSERT INTO rooms (id, home_id, name, created_at) VALUES ('r1', 'h1', 'Kitchen', ${t})`,
    sql`INSERT INTO device_placements (device_id, home_id, room_id) VALUES ('d1', 'h1', 'r1')`,
    sql`INSERT INTO device_desired (device_id, property, value, set_at, set_by) VALUES ('d1', 'light.on', 'false', ${t}, 'u1')`,
    sql`INSERT INTO device_desired_refusals (device_id, property, value, code, message, refused_at, set_by)
        VALUES ('d1', 'light.brightness', '120', 'VALUE_OUT_OF_RANGE', 'at most 100', ${t}, 'u1')`,
    sql`INSERT INTO device_share_invitations (device_id, email, invited_by, created_at)
        VALUES ('d1', 'Bob@Example.com', 'u1', ${t})`,
    sql`INSERT INTO commerce_skus (id, partner_id, model_id, price_minor, currency, created_at)
        VALUES ('s1', 'p1', 'acme.light.bulb1', 1999, 'EUR', ${t})`,
    sql`INSERT INTO commerce_bom_costs (id, partner_id, model_id, cost_minor, currency, effective_from, created_at)
        VALUES ('bom1', 'p1', 'acme.light.bulb1', 900, 'EUR', ${t}, ${t})`,
    sql`INSERT INTO commerce_orders (id, user_id, status, currency, total_minor, created_at, expires_at)
        VALUES ('o1', 'u1', 'paid', 'EUR', 1999, ${t}, ${t + 1})`,
    sql`INSERT INTO commerce_order_lines (order_id, line_no, sku_id, partner_id, model_id, unit_price_minor, quantity, amount_minor)
        VALUES ('o1', 0, 's1', 'p1', 'acme.light.bulb1', 1999, 1, 1999)`,
    sql`INSERT INTO commerce_stocked_batches (batch_id, stocked_at) VALUES ('b1', ${t})`,
    sql`INSERT INTO commerce_free_devices (model_id, partner_id, device_id) VALUES ('acme.light.bulb1', 'p1', 'd2')`,
    sql`INSERT INTO commerce_units (device_id, order_id, line_no, model_id, state, reserved_at)
        VALUES ('d1', 'o1', 0, 'acme.light.bulb1', 'sold', ${t})`,
    // The buyer claims what they bought (a claimed device can no longer be sold: 0070's triggers),
    // which also records d1 in commerce_claimed_devices.
    sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('d1', 'u1', 'owner', ${t})`,
    sql`INSERT INTO commerce_idempotency_keys (user_id, key, request_hash, order_id, status, response, created_at)
        VALUES ('u1', 'key-1', 'h', 'o1', 201, '{}', ${t})`,
    sql`INSERT INTO commerce_payment_events (id, type, order_id, amount_minor, currency, signed_at, received_at)
        VALUES ('evt1', 'payment.succeeded', 'o1', 1999, 'EUR', ${t}, ${t})`,
    sql`INSERT INTO commerce_refunds (id, order_id, line_nos, amount_minor, currency, requested_by, created_at)
        VALUES ('rf1', 'o1', '[0]', 1999, 'EUR', 'buyer', ${t})`,
    sql`INSERT INTO commerce_activations (device_id, order_id, line_no, partner_id, user_id, currency, activated_at, statement_month)
        VALUES ('d1', 'o1', 0, 'p1', 'u1', 'EUR', ${t}, '2023-11')`,
    sql`INSERT INTO partner_statement_closures (month, closed_at, closed_by) VALUES ('2023-10', ${t}, 'op')`,
    sql`INSERT INTO partner_ledger_entries (id, partner_id, kind, statement_month, currency, gross_minor, commission_minor,
          adjustment_minor, payable_minor, rate_bp, quantity, order_id, line_no, created_at, created_by)
        VALUES ('le1', 'p1', 'sale', '2023-11', 'EUR', 1999, 100, 0, 1899, 500, 1, 'o1', 0, ${t}, 'hub')`,
    sql`INSERT INTO flash_sales (id, partner_id, sku_id, model_id, name, currency, price_minor, cap, per_user_limit,
          registration_opens_at, opens_at, closes_at, mode, seed, seed_hash, payment_window_ms, offer_hold_ms,
          waitlist_cap, created_at, payment, deposit_minor, balance_window_ms, missed_balance)
        VALUES ('fs1', 'p1', 's1', 'acme.light.bulb1', 'Bulb', 'EUR', 1999, 10, 1, ${t}, ${t}, ${t + 1}, 'first_come',
          'seed', 'hash', 1000, 1000, 10, ${t}, 'deposit', 500, 86400000, 'forfeit')`,
    sql`INSERT INTO flash_purchases (id, sale_id, user_id, quantity, amount_minor, source, status, created_at, expires_at)
        VALUES ('fp1', 'fs1', 'u1', 1, 500, 'open', 'paid', ${t}, ${t + 1})`,
    sql`INSERT INTO flash_preorders (purchase_id, sale_id, user_id, partner_id, model_id, sku_id, currency, quantity,
          price_minor, deposit_minor, balance_minor, missed_balance, balance_window_ms, status, deposit_paid_at)
        VALUES ('fp1', 'fs1', 'u1', 'p1', 'acme.light.bulb1', 's1', 'EUR', 1, 1999, 500, 1499, 'forfeit', 86400000,
          'waiting', ${t})`,
    sql`INSERT INTO flash_deposit_entries (id, partner_id, purchase_id, kind, statement_month, currency, amount_minor, created_at)
        VALUES ('de1', 'p1', 'fp1', 'deposit', '2023-11', 'EUR', 500, ${t})`,
    sql`INSERT INTO flash_batches (batch_id, partner_id, model_id, currency, units, bom_cost_minor, min_margin_bp, status, created_at)
        VALUES ('b1', 'p1', 'acme.light.bulb1', 'EUR', 2, 900, 3000, 'held', ${t})`,
  ];
  for (const row of rows) await db.run(row);
}
