import { type TableSpec, table } from '../schema.js';

/**
 * The sales channel: SKUs, orders, units, payments, refunds, activations (src/commerce/): migration
 * 0060; claimed devices 0070.
 */
export const commerceTables: readonly TableSpec[] = [
  table('commerce_skus', {
    columns:
      'id text, partner_id text, model_id text, name text?, price_minor int, currency text, created_at int, ' +
      'deactivated_at int?',
    primaryKey: 'id',
    indexes: {
      commerce_skus_one_active: 'UNIQUE model_id, currency WHERE deactivated_at IS NULL',
      commerce_skus_by_partner: 'partner_id, created_at',
    },
    references: { partner_id: 'partners(id)', model_id: 'models(id)' },
  }),
  table('commerce_bom_costs', {
    columns:
      'id text, partner_id text, model_id text, cost_minor int, currency text, effective_from int, created_at int',
    primaryKey: 'id',
    indexes: { commerce_bom_costs_by_model: 'model_id, effective_from' },
    references: { partner_id: 'partners(id)', model_id: 'models(id)' },
    appendOnly: true,
    rowid: true,
  }),
  table('commerce_orders', {
    columns:
      'id text, user_id text, status text, currency text, total_minor int, created_at int, expires_at int, ' +
      'paid_at int?, payment_event_id text?, ended_at int?',
    primaryKey: 'id',
    indexes: {
      commerce_orders_by_user: 'user_id, created_at',
      commerce_orders_awaiting_payment: "expires_at WHERE status = 'reserved'",
    },
    references: { user_id: 'users(id)' },
  }),
  table('commerce_order_lines', {
    columns:
      'order_id text, line_no int, sku_id text, partner_id text, model_id text, unit_price_minor int, ' +
      'quantity int, amount_minor int, refunded_at int?',
    primaryKey: 'order_id, line_no',
    references: { order_id: 'commerce_orders(id)', sku_id: 'commerce_skus(id)', partner_id: 'partners(id)' },
  }),
  table('commerce_free_devices', {
    columns: 'model_id text, partner_id text, device_id text',
    primaryKey: 'model_id, partner_id, device_id',
  }),
  table('commerce_stocked_batches', {
    columns: 'batch_id text, stocked_at int',
    primaryKey: 'batch_id',
    references: { batch_id: 'device_batches(id)' },
  }),
  table('commerce_units', {
    columns:
      'device_id text, order_id text, line_no int, model_id text, state text, reserved_at int, ' +
      'released_at int?, release_reason text?',
    primaryKey: 'order_id, device_id',
    indexes: {
      commerce_units_held: 'UNIQUE device_id WHERE released_at IS NULL',
      commerce_units_held_by_model: 'model_id, state WHERE released_at IS NULL',
    },
    references: { device_id: 'devices(id)', order_id: 'commerce_orders(id)' },
  }),
  table('commerce_idempotency_keys', {
    columns:
      'user_id text, key text, request_hash text, order_id text, status int, response text, created_at int',
    primaryKey: 'user_id, key',
    references: { user_id: 'users(id)', order_id: 'commerce_orders(id)' },
  }),
  table('commerce_payment_events', {
    columns:
      'id text, type text, order_id text, amount_minor int, currency text, signed_at int, received_at int',
    primaryKey: 'id',
    references: { order_id: 'commerce_orders(id)' },
    appendOnly: true,
  }),
  table('commerce_refunds', {
    columns:
      'id text, order_id text, line_nos text, amount_minor int, currency text, reason text?, requested_by text, ' +
      'event_id text?, created_at int',
    primaryKey: 'id',
    indexes: { commerce_refunds_by_order: 'order_id' },
    references: { order_id: 'commerce_orders(id)' },
    appendOnly: true,
  }),
  table('commerce_activations', {
    columns:
      'device_id text, order_id text, line_no int, partner_id text, user_id text, currency text, ' +
      'activated_at int, statement_month text',
    primaryKey: 'device_id, order_id',
    indexes: { commerce_activations_by_partner: 'partner_id, statement_month' },
    references: { device_id: 'devices(id)', order_id: 'commerce_orders(id)', partner_id: 'partners(id)' },
    appendOnly: true,
  }),

  // 0070 ownership
  table('commerce_claimed_devices', {
    columns: 'model_id text, partner_id text, device_id text, claimed_at int',
    primaryKey: 'model_id, partner_id, device_id',
    indexes: { commerce_claimed_devices_by_device: 'UNIQUE device_id' },
  }),
];
