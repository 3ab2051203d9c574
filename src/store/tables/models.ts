import { type TableSpec, table } from '../schema.js';

/** Device models and their versioned spec documents (src/registry/models/): migration 0030. */
export const modelTables: readonly TableSpec[] = [
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
];
