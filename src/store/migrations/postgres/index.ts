import type { Migration } from '../../migrations.js';
import { m0010 } from './0010-identities.js';
import { m0020 } from './0020-partners.js';
import { m0030 } from './0030-models.js';
import { m0040 } from './0040-devices.js';
import { m0050 } from './0050-control.js';
import { m0060 } from './0060-commerce.js';
import { m0070 } from './0070-ownership.js';
import { m0090 } from './0090-operator-tokens.js';
import { m0100 } from './0100-firmware.js';
import { m0150 } from './0150-community.js';
import { m0200 } from './0200-flash-sales.js';
import { m0250 } from './0250-certification.js';
import { m0360 } from './0360-flash-preorders.js';
import { m0370 } from './0370-quality.js';
import { m0380 } from './0380-ingest-marks.js';
import { m0410 } from './0410-community-reports.js';

/**
 * Every shipped PostgreSQL migration, in order: one per SQLite migration (../index.ts), with the
 * same version and name, producing the schema in ../../schema-tables.ts. Append only.
 */
export const postgresMigrations: readonly Migration[] = [
  m0010,
  m0020,
  m0030,
  m0040,
  m0050,
  m0060,
  m0070,
  m0090,
  m0100,
  m0150,
  m0200,
  m0250,
  m0360,
  m0370,
  m0380,
  m0410,
];
