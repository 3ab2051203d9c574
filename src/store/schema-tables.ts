import { booleanColumns, type TableSpec } from './schema.js';
import { certificationTables } from './tables/certification.js';
import { commerceTables } from './tables/commerce.js';
import { communityTables } from './tables/community.js';
import { controlTables } from './tables/control.js';
import { deviceTables } from './tables/devices.js';
import { firmwareTables } from './tables/firmware.js';
import { flashTables } from './tables/flash.js';
import { homeTables } from './tables/homes.js';
import { identityTables } from './tables/identity.js';
import { modelTables } from './tables/models.js';
import { partnerTables } from './tables/partners.js';

/**
 * Every table after the latest migration, on both engines, one file per domain in tables/. A new
 * migration updates its domain's file in the same commit; the schema test fails until both
 * engines' migrations match this description.
 */
export const expectedTables: readonly TableSpec[] = [
  ...identityTables,
  ...partnerTables,
  ...modelTables,
  ...deviceTables,
  ...controlTables,
  ...homeTables,
  ...commerceTables,
  ...firmwareTables,
  ...communityTables,
  ...flashTables,
  ...certificationTables,
];

/** Boolean columns, by table: what the SQLite engine turns from 0/1 back into false/true. */
export const schemaBooleans = booleanColumns(expectedTables);
