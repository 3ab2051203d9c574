import { type TableSpec, table } from '../schema.js';

/**
 * Flash sales, registrations, purchases, the waitlist and codes (src/commerce/flash-*): migration
 * 0200; pre-orders, deposits and production batches 0360.
 */
export const flashTables: readonly TableSpec[] = [
  table('flash_sales', {
    columns:
      'id text, partner_id text, sku_id text, model_id text, name text, currency text, price_minor int, cap int, ' +
      'per_user_limit int, registration_cap int?, registrations int, registration_opens_at int, opens_at int, ' +
      'closes_at int, mode text, seed text, seed_hash text, drawn_at int?, payment_window_ms int, ' +
      'offer_hold_ms int, waitlist_cap int, waitlist_seq int, taken int, sold int, codes_outstanding int, created_at int, ' +
      // 0360
      'payment text, deposit_minor int?, balance_window_ms int?, missed_balance text?',
    primaryKey: 'id',
    indexes: { flash_sales_by_partner: 'partner_id, created_at, id', flash_sales_by_opening: 'opens_at, id' },
    references: { partner_id: 'partners(id)' },
  }),
  table('flash_registrations', {
    columns: 'sale_id text, user_id text, seq int, ticket text, registered_at int',
    primaryKey: 'sale_id, user_id',
    unique: ['sale_id, seq', 'ticket'],
    references: { sale_id: 'flash_sales(id)' },
  }),
  table('flash_purchases', {
    columns:
      'id text, sale_id text, user_id text, quantity int, amount_minor int, source text, status text, ' +
      'created_at int, expires_at int, paid_at int?, ended_at int?, payment_event_id text?, order_id text?, ' +
      'fulfilled_at int?',
    primaryKey: 'id',
    indexes: {
      flash_purchases_one_active: "UNIQUE sale_id, user_id WHERE status = 'reserved'",
      flash_purchases_by_expiry: 'status, expires_at',
      flash_purchases_by_sale: 'sale_id, created_at, id',
      flash_purchases_by_user: 'user_id, created_at, id',
      flash_purchases_unfulfilled: "paid_at, id WHERE status = 'paid' AND fulfilled_at IS NULL",
    },
    references: { sale_id: 'flash_sales(id)' },
  }),
  table('flash_user_units', {
    columns: 'sale_id text, user_id text, units int',
    primaryKey: 'sale_id, user_id',
    references: { sale_id: 'flash_sales(id)' },
  }),
  table('flash_waitlist', {
    columns: 'sale_id text, user_id text, seq int, status text, joined_at int, purchase_id text?',
    primaryKey: 'sale_id, user_id',
    unique: ['sale_id, seq'],
    indexes: { flash_waitlist_waiting: 'sale_id, status, seq' },
    references: { sale_id: 'flash_sales(id)' },
  }),
  table('flash_codes', {
    columns:
      'id text, sale_id text, code_hash blob, issued_by text, issued_at int, redeemed_by text?, ' +
      'redeemed_at int?, purchase_id text?',
    primaryKey: 'id',
    unique: ['code_hash'],
    indexes: { flash_codes_by_sale: 'sale_id, issued_at, id' },
    references: { sale_id: 'flash_sales(id)' },
  }),
  table('flash_idempotency', {
    columns:
      'user_id text, key text, sale_id text, request_hash text, status int, response text, created_at int',
    primaryKey: 'user_id, key',
  }),
  table('flash_payment_events', {
    columns: 'id text, purchase_id text, amount_minor int, currency text, received_at int',
    primaryKey: 'id',
    references: { purchase_id: 'flash_purchases(id)' },
  }),

  // 0360 pre-orders, deposits, production batches
  table('flash_preorders', {
    columns:
      'purchase_id text, sale_id text, user_id text, partner_id text, model_id text, sku_id text, currency text, ' +
      'quantity int, price_minor int, deposit_minor int, balance_minor int, missed_balance text, ' +
      'balance_window_ms int, status text, deposit_paid_at int, batch_id text?, order_id text?, ' +
      'allocated_at int?, balance_due_at int?, balance_event_id text?, balance_paid_at int?, ended_at int?',
    primaryKey: 'purchase_id',
    indexes: {
      flash_preorders_queue: 'model_id, status, deposit_paid_at, purchase_id',
      flash_preorders_due: 'status, balance_due_at',
      flash_preorders_by_user: 'user_id, deposit_paid_at',
    },
    references: { purchase_id: 'flash_purchases(id)', sale_id: 'flash_sales(id)' },
    rowid: true,
  }),
  table('flash_deposit_entries', {
    columns:
      'seq int, id text, partner_id text, purchase_id text, kind text, statement_month text, currency text, ' +
      'amount_minor int, created_at int',
    primaryKey: 'seq',
    unique: ['id', 'purchase_id, kind'],
    indexes: { flash_deposit_entries_by_partner: 'partner_id, statement_month' },
    references: { partner_id: 'partners(id)', purchase_id: 'flash_preorders(purchase_id)' },
    appendOnly: true,
  }),
  table('flash_batches', {
    columns:
      'batch_id text, partner_id text, model_id text, currency text, units int, bom_cost_minor int, ' +
      'min_margin_bp int?, status text, allocated int, created_at int, released_at int?, release_reason text?, ' +
      'released_price_minor int?, released_cost_minor int?, released_margin_bp int?',
    primaryKey: 'batch_id',
    indexes: {
      flash_batches_by_model: 'model_id, created_at',
      flash_batches_held: "status, created_at WHERE status = 'held'",
    },
    references: { batch_id: 'device_batches(id)', partner_id: 'partners(id)' },
  }),
];
