/**
 * The flash-sale bench's hub (a child process of bench/flash.ts): a hub on 127.0.0.1 with a partner,
 * a published model, `cap` devices in stock, a SKU and a first-come sale of `cap` units opening in
 * `openInMs`, and `buyers` registered users whose tokens it writes to a file (users and registrations
 * go straight into the store: 10,000 scrypt hashes through the API would take half an hour).
 * Prints one JSON line with what the driver needs (the database file included, for the oversell
 * check), then serves until SIGTERM; `open <ms>` on stdin moves the opening to <ms> from then.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DATABASE_FILE } from '../src/config.js';
import { createHub } from '../src/hub.js';
import { newId } from '../src/identity/secrets.js';
import { createLogger } from '../src/log.js';
import { sql } from '../src/store/sql.js';
import { HubApi, onboardPartner, provisionDevices, publishBulbModel } from './setup.js';

const [root = '.', buyersArg = '10000', capArg = '1000', openInArg = '4000'] = process.argv.slice(2);
const buyers = Number(buyersArg);
const cap = Number(capArg);
const openInMs = Number(openInArg);
const dataDir = mkdtempSync(join(tmpdir(), 'ecohub-flash-bench-'));
const adminToken = randomBytes(24).toString('hex');

const hub = await createHub({
  host: '127.0.0.1',
  httpPort: 0,
  mqttPort: 0,
  dataDir,
  adminToken,
  logger: createLogger('silent'),
  // Every buyer comes from 127.0.0.1: the per-address limit is for the open internet.
  flash: { addressBurst: 1_000_000, addressRatePerSec: 1_000_000 },
});
const api = new HubApi(hub.httpUrl, adminToken);
const partner = await onboardPartner(api);
const modelId = await publishBulbModel(api, partner, root);
await provisionDevices(api, partner, modelId, cap);
const sku = (await api.call(
  'POST',
  '/v1/skus',
  201,
  { modelId, priceMinor: 9900, currency: 'EUR' },
  partner.key,
)) as {
  id: string;
};
const now = Date.now();
const sale = (await api.call(
  'POST',
  '/v1/flash-sales',
  201,
  {
    skuId: sku.id,
    cap,
    mode: 'first_come',
    registrationOpensAt: new Date(now).toISOString(),
    opensAt: new Date(now + openInMs).toISOString(),
    closesAt: new Date(now + 3_600_000).toISOString(),
  },
  partner.key,
)) as { id: string; opensAt: string };
const ids = Array.from({ length: buyers }, () => newId());
await hub.store.transaction(async (tx) => {
  for (const [i, id] of ids.entries()) {
    await tx.run(sql`INSERT INTO users (id, email, password_hash, created_at)
      VALUES (${id}, ${`${id}@flash.bench`}, ${'not-a-password-hash'}, ${now})`);
    await tx.run(sql`INSERT INTO flash_registrations (sale_id, user_id, seq, ticket, registered_at)
      VALUES (${sale.id}, ${id}, ${i + 1}, ${randomBytes(12).toString('hex')}, ${now})`);
  }
  await tx.run(sql`UPDATE flash_sales SET registrations = ${buyers} WHERE id = ${sale.id}`);
});
const tokens: string[] = [];
for (const id of ids) tokens.push((await hub.identities.issueUserToken(id)).token);
const tokenFile = join(dataDir, 'tokens.json');
writeFileSync(tokenFile, JSON.stringify(tokens));
process.stdout.write(
  `${JSON.stringify({ httpUrl: hub.httpUrl, saleId: sale.id, opensAt: Date.parse(sale.opensAt), tokenFile, adminToken, databaseFile: join(dataDir, DATABASE_FILE), pid: process.pid })}\n`,
);
// "open <ms>" on stdin moves the opening to <ms> from now and answers {"opensAt": ...}: the bench sets
// this hub up while others are measured, and opens the sale when its turn comes.
createInterface({ input: process.stdin }).on('line', (line) => {
  const match = /^open (\d+)$/.exec(line.trim());
  if (match === null) return;
  const opensAt = Date.now() + Number(match[1]);
  void hub.store
    .run(sql`UPDATE flash_sales SET opens_at = ${opensAt} WHERE id = ${sale.id}`)
    .then(() => process.stdout.write(`${JSON.stringify({ opensAt })}\n`));
});
process.on('SIGTERM', () => {
  void hub.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
