import { booleanColumns, type TableSpec, table } from './schema.js';

/**
 * Every table after the latest migration (0250), on both engines. A new migration updates this
 * description in the same commit; the schema test fails until both engines' migrations match it.
 */
export const expectedTables: readonly TableSpec[] = [
  // 0010 identities
  table('users', {
    columns: 'id text, email text, password_hash text, display_name text?, created_at int',
    primaryKey: 'id',
    unique: ['email'],
  }),
  table('user_tokens', {
    columns: 'id text, user_id text, secret_hash blob, created_at int, expires_at int, revoked_at int?',
    primaryKey: 'id',
    indexes: { user_tokens_by_user: 'user_id' },
    references: { user_id: 'users(id) ON DELETE CASCADE' },
  }),
  table('admin_tokens', {
    // source and last_used_at: 0090
    columns:
      'id text, secret_hash blob, label text, created_at int, revoked_at int?, source text, last_used_at int?',
    primaryKey: 'id',
    indexes: { admin_tokens_by_created: 'created_at, id' },
  }),

  // 0020 partners
  table('partner_applications', {
    columns:
      'id text, slug text, company text, contact_email text, website text, categories text, status text, ' +
      'reason text?, created_at int, decided_at int?, decided_by text?',
    primaryKey: 'id',
    indexes: {
      partner_applications_by_status: 'status, created_at',
      partner_applications_live_slug: "UNIQUE slug WHERE status <> 'rejected'",
    },
  }),
  table('partners', {
    columns:
      'id text, slug text, company text, contact_email text, website text, categories text, ' +
      'application_id text, created_at int',
    primaryKey: 'id',
    unique: ['slug'],
    references: { application_id: 'partner_applications(id)' },
  }),
  table('partner_api_keys', {
    columns:
      'id text, partner_id text, secret_hash blob, label text, created_at int, last_used_at int?, revoked_at int?',
    primaryKey: 'id',
    indexes: { partner_api_keys_by_partner: 'partner_id' },
    references: { partner_id: 'partners(id)' },
  }),
  table('partner_contracts', {
    columns:
      'id text, partner_id text, rate_bp int, effective_from int, note text?, created_at int, created_by text',
    primaryKey: 'id',
    indexes: { partner_contracts_by_partner: 'partner_id, effective_from' },
    references: { partner_id: 'partners(id)' },
    rowid: true,
  }),

  // 0030 models
  table('models', {
    columns: 'id text, partner_id text, category text, parent_id text?, created_at int',
    primaryKey: 'id',
    indexes: { models_by_partner: 'partner_id' },
    references: { partner_id: 'partners(id)', parent_id: 'models(id)' },
  }),
  table('model_versions', {
    columns:
      'model_id text, version int, state text, document text, warnings text, created_at int, updated_at int, ' +
      'submitted_at int?, certified_at int?, certified_by text?, certification_note text?, published_at int?, ' +
      'retired_at int?',
    primaryKey: 'model_id, version',
    indexes: { model_versions_published: 'state, model_id' },
    references: { model_id: 'models(id)' },
  }),

  // 0040 devices
  table('device_batches', {
    columns:
      'id text, partner_id text, model_id text, model_version int, size int, label text?, created_at int',
    primaryKey: 'id',
    indexes: { device_batches_by_partner: 'partner_id, created_at' },
    references: {
      partner_id: 'partners(id)',
      'model_id, model_version': 'model_versions(model_id, version)',
    },
  }),
  table('devices', {
    columns:
      'id text, partner_id text, model_id text, model_version int, batch_id text, secret_hash blob, ' +
      'pairing_hash blob?, blocked bool, created_at int, firmware_version text?, online bool, ' +
      'last_seen_at int?, connected_at int?, connection_count int, shadow_version int, ' +
      // 0380: deduplication marks (src/registry/telemetry/seq-marks.ts)
      'seq_high int?, seq_recent text?',
    primaryKey: 'id',
    indexes: {
      devices_by_partner_model: 'partner_id, model_id',
      devices_by_batch: 'batch_id',
      devices_by_pairing: 'UNIQUE pairing_hash WHERE pairing_hash IS NOT NULL',
    },
    references: { partner_id: 'partners(id)', batch_id: 'device_batches(id)' },
  }),
  table('device_shadow', {
    columns: 'device_id text, property text, value text, reported_at int, version int',
    primaryKey: 'device_id, property',
    references: { device_id: 'devices(id)' },
  }),
  // device_reports: dropped by 0380 (replaced by devices.seq_high and seq_recent)
  table('telemetry', {
    columns: 'device_id text, property text, ts int, device_ts int?, seq int, value text, num real?',
    indexes: { telemetry_by_device_property_time: 'device_id, property, ts' },
  }),
  table('device_events', {
    columns: 'device_id text, event text, ts int, device_ts int?, seq int, arguments text',
    indexes: { device_events_by_device_time: 'device_id, ts' },
  }),

  // 0050 control
  table('device_bindings', {
    columns: 'device_id text, user_id text, role text, created_at int',
    primaryKey: 'device_id, user_id',
    indexes: {
      device_bindings_one_owner: "UNIQUE device_id WHERE role = 'owner'",
      device_bindings_by_user: 'user_id',
    },
    references: { device_id: 'devices(id)', user_id: 'users(id)' },
  }),
  table('homes', {
    columns: 'id text, owner_id text, name text, created_at int',
    primaryKey: 'id',
    indexes: { homes_by_owner: 'owner_id' },
    references: { owner_id: 'users(id)' },
  }),
  table('home_members', {
    columns: 'home_id text, user_id text, role text, created_at int',
    primaryKey: 'home_id, user_id',
    indexes: { home_members_by_user: 'user_id' },
    references: { home_id: 'homes(id) ON DELETE CASCADE', user_id: 'users(id)' },
  }),
  table('rooms', {
    columns: 'id text, home_id text, name text, created_at int',
    primaryKey: 'id',
    indexes: { rooms_by_home: 'home_id' },
    references: { home_id: 'homes(id) ON DELETE CASCADE' },
  }),
  table('device_placements', {
    columns: 'device_id text, home_id text, room_id text?',
    primaryKey: 'device_id',
    indexes: { device_placements_by_home: 'home_id' },
    references: {
      device_id: 'devices(id)',
      home_id: 'homes(id) ON DELETE CASCADE',
      room_id: 'rooms(id) ON DELETE SET NULL',
    },
  }),
  table('device_desired', {
    columns: 'device_id text, property text, value text, set_at int, set_by text',
    primaryKey: 'device_id, property',
    indexes: { device_desired_by_user: 'set_by' }, // 0070
    references: { device_id: 'devices(id)' },
  }),

  // 0060 commerce
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
  table('partner_statement_closures', {
    columns: 'month text, closed_at int, closed_by text',
    primaryKey: 'month',
    appendOnly: true,
  }),
  table('partner_ledger_entries', {
    columns:
      'seq int, id text, partner_id text, kind text, statement_month text, currency text, gross_minor int, ' +
      'commission_minor int, adjustment_minor int, payable_minor int, rate_bp int?, quantity int, order_id text?, ' +
      'line_no int?, reason text?, created_at int, created_by text',
    primaryKey: 'seq',
    unique: ['id'],
    indexes: {
      partner_ledger_once_per_line: "UNIQUE order_id, line_no, kind WHERE kind IN ('sale', 'refund')",
      partner_ledger_by_partner: 'partner_id, statement_month',
    },
    references: { partner_id: 'partners(id)' },
    appendOnly: true,
  }),

  // 0070 ownership
  table('commerce_claimed_devices', {
    columns: 'model_id text, partner_id text, device_id text, claimed_at int',
    primaryKey: 'model_id, partner_id, device_id',
    indexes: { commerce_claimed_devices_by_device: 'UNIQUE device_id' },
  }),
  table('device_desired_refusals', {
    columns:
      'device_id text, property text, value text, code text, message text, refused_at int, set_by text',
    primaryKey: 'device_id, property',
    indexes: { device_desired_refusals_by_user: 'set_by' },
    references: { device_id: 'devices(id)' },
  }),
  table('device_share_invitations', {
    columns: 'device_id text, email text, invited_by text, created_at int',
    primaryKey: 'device_id, email',
    indexes: { device_share_invitations_by_email: 'email' },
    references: { device_id: 'devices(id)', invited_by: 'users(id)' },
  }),
  // 0100 firmware
  table('firmware_keys', {
    columns: 'id text, public_key blob, private_key blob, created_at int',
    primaryKey: 'id',
  }),
  table('firmware_packages', {
    columns:
      'id text, partner_id text, model_id text, version text, spec_version int, notes text, state text, ' +
      'size int?, sha256 text?, manifest text?, signature text?, partner_signature text?, channel text, ' +
      'beta_at int?, beta_soak_ms int?, stable_at int?, created_at int, ready_at int?',
    primaryKey: 'id',
    unique: ['model_id, version'],
    indexes: { firmware_packages_by_partner: 'partner_id, created_at, id' },
    references: { partner_id: 'partners(id)', model_id: 'models(id)' },
  }),
  table('firmware_rollouts', {
    columns:
      'id text, partner_id text, model_id text, package_id text, target text, rollback bool, state text, ' +
      'policy text, stage int, stage_started_at int?, halt_reason text?, halted_at int?, start_at int, ' +
      'started_at int?, finished_at int?, created_at int, created_by text',
    primaryKey: 'id',
    indexes: {
      firmware_rollouts_by_partner: 'partner_id, created_at, id',
      firmware_rollouts_by_state: 'state, start_at',
    },
    references: {
      partner_id: 'partners(id)',
      model_id: 'models(id)',
      package_id: 'firmware_packages(id)',
    },
  }),
  table('firmware_executions', {
    columns:
      'id text, rollout_id text, device_id text, position int, state text, stage int?, attempts int, ' +
      'from_version text?, phase text?, percent int?, reason text?, due_at int?, offered_at int?, ' +
      'succeeded_at int?, finished_at int?, updated_at int, errors_before int, errors_after int, ' +
      'offline_before int, ' +
      'offline_after bool',
    primaryKey: 'id',
    unique: ['rollout_id, device_id'],
    indexes: {
      firmware_executions_by_rollout: 'rollout_id, state, position',
      firmware_executions_by_device: 'device_id, state',
      firmware_executions_due: 'due_at WHERE due_at IS NOT NULL',
    },
    references: { rollout_id: 'firmware_rollouts(id)', device_id: 'devices(id)' },
  }),
  table('firmware_beta_devices', {
    columns: 'device_id text, user_id text, enrolled_at int',
    primaryKey: 'device_id',
    indexes: { firmware_beta_devices_by_user: 'user_id' },
    references: { device_id: 'devices(id)', user_id: 'users(id)' },
  }),
  // 0150 community
  table('community_posts', {
    columns:
      'id text, model_id text, partner_id text, author_id text, kind text, title text, body text, status text, ' +
      'duplicate_of text?, locked bool, hidden_reason text?, hidden_at int?, attachment text?, ' +
      'attached_device_id text?, created_at int, updated_at int',
    primaryKey: 'id',
    indexes: {
      community_posts_by_model: 'model_id, created_at',
      community_posts_by_partner: 'partner_id, created_at',
      community_posts_by_author: 'author_id, created_at',
    },
    references: {
      model_id: 'models(id)',
      partner_id: 'partners(id)',
      author_id: 'users(id)',
      duplicate_of: 'community_posts(id)',
    },
  }),
  table('community_votes', {
    columns: 'post_id text, user_id text, created_at int, verified bool, device_id text?, owned_since int?',
    primaryKey: 'post_id, user_id',
    indexes: {
      community_votes_by_user: 'user_id',
      community_votes_by_post_time: 'post_id, created_at',
    },
    references: { post_id: 'community_posts(id)', user_id: 'users(id)' },
  }),
  table('community_comments', {
    columns:
      'id text, post_id text, author_kind text, author_id text, body text, firmware_version text?, ' +
      'hidden_reason text?, hidden_at int?, created_at int',
    primaryKey: 'id',
    indexes: { community_comments_by_post: 'post_id, created_at' },
    references: { post_id: 'community_posts(id)' },
  }),
  table('community_post_events', {
    columns:
      'id text, post_id text, model_id text, kind text, from_status text?, to_status text?, note text?, ' +
      'actor text, at int',
    primaryKey: 'id',
    indexes: {
      community_post_events_by_post: 'post_id, at',
      community_post_events_by_model: 'model_id, at',
    },
    references: { post_id: 'community_posts(id)' },
  }),
  table('community_release_links', {
    columns:
      'post_id text, release_id text, model_id text, version text, stage text, linked_at int, linked_by text',
    primaryKey: 'post_id, release_id',
    indexes: {
      community_release_links_by_release: 'release_id',
      community_release_links_by_version: 'model_id, version',
    },
    references: { post_id: 'community_posts(id)' },
  }),
  table('community_notifications', {
    columns:
      'id text, user_id text, dedup_key text, kind text, post_id text?, body text, created_at int, read_at int?',
    primaryKey: 'id',
    unique: ['user_id, dedup_key'],
    indexes: { community_notifications_by_user: 'user_id, created_at' },
    references: { user_id: 'users(id)', post_id: 'community_posts(id)' },
  }),
  // 0200 flash sales
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

  // 0250 certification
  table('certification_keys', {
    columns: 'id text, public_key text, private_key text, created_at int, retired_at int?',
    primaryKey: 'id',
  }),
  table('certification_runs', {
    columns:
      'id text, partner_id text, model_id text, version int, device_id text, state text, verdict text?, ' +
      'plan text, total int, passed int, failed int, firmware_revision text?, note text?, started_by text, ' +
      'started_at int, finished_at int?',
    primaryKey: 'id',
    indexes: {
      certification_runs_by_partner: 'partner_id, started_at, id',
      certification_runs_by_model: 'model_id, version, started_at',
      certification_runs_by_device: 'device_id, state',
    },
    references: { partner_id: 'partners(id)', 'model_id, version': 'model_versions(model_id, version)' },
  }),
  table('certification_cases', {
    columns: 'run_id text, position int, case_id text, verdict text, result text',
    primaryKey: 'run_id, case_id',
    references: { run_id: 'certification_runs(id) ON DELETE CASCADE' },
  }),
  table('certification_reports', {
    columns: 'run_id text, key_id text, body text, signature text, created_at int',
    primaryKey: 'run_id',
    references: { run_id: 'certification_runs(id)', key_id: 'certification_keys(id)' },
  }),
  table('certification_decisions', {
    columns:
      'id text, model_id text, version int, kind text, run_id text?, reason text, decided_by text, decided_at int',
    primaryKey: 'id',
    indexes: { certification_decisions_by_model: 'model_id, version, decided_at' },
    references: {
      'model_id, version': 'model_versions(model_id, version)',
      run_id: 'certification_runs(id)',
    },
  }),

  // 0370 quality (above main's 0360: a database records only its highest version)
  table('quality_counters', {
    columns: 'model_id text, partner_id text, day text, metric text, label text, n int',
    primaryKey: 'model_id, day, metric, label',
    indexes: { quality_counters_by_partner: 'partner_id, day' },
  }),
  // 0410 community reports (the moderation queue)
  table('community_reports', {
    columns: 'post_id text, user_id text, reason text, created_at int, resolution text?, resolved_at int?',
    primaryKey: 'post_id, user_id',
    indexes: {
      community_reports_open: 'post_id WHERE resolved_at IS NULL',
      community_reports_by_user: 'user_id, created_at',
    },
    references: { post_id: 'community_posts(id)', user_id: 'users(id)' },
  }),
];

/** Boolean columns, by table: what the SQLite engine turns from 0/1 back into false/true. */
export const schemaBooleans = booleanColumns(expectedTables);
