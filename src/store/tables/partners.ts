import { type TableSpec, table } from '../schema.js';

/**
 * Partners, their applications, API keys and contracts (src/partners/): migration 0020; the
 * statement closures and the commission ledger came with commerce, 0060.
 */
export const partnerTables: readonly TableSpec[] = [
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

  // 0060 (with commerce)
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
];
