import { type TableSpec, table } from '../schema.js';

/** Firmware keys, packages, rollouts, executions and the beta channel (src/firmware/): migration 0100. */
export const firmwareTables: readonly TableSpec[] = [
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
];
