import { type TableSpec, table } from '../schema.js';

/**
 * Certification keys, runs, cases, reports and decisions (src/certification/): migration 0250;
 * the quality scorecards' counters 0370.
 */
export const certificationTables: readonly TableSpec[] = [
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

  // 0370 quality scorecards
  table('quality_counters', {
    columns: 'model_id text, partner_id text, day text, metric text, label text, n int',
    primaryKey: 'model_id, day, metric, label',
    indexes: { quality_counters_by_partner: 'partner_id, day' },
  }),
];
