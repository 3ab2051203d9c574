// Child process of test/domains/commerce-crash.test.ts: places and pays orders on the built
// commerce module against DATABASE_URL, four at a time, printing each acknowledged step, until the
// stock runs out or the test kills it with SIGKILL.
import { CommerceService } from '../../dist/src/commerce/service.js';
import { DEFAULT_COMMERCE } from '../../dist/src/config.js';
import { createLogger } from '../../dist/src/log.js';
import { LedgerService } from '../../dist/src/partners/ledger.js';
import { PartnerService } from '../../dist/src/partners/service.js';
import { parseDatabaseUrl } from '../../dist/src/store/database-url.js';
import { openEngine } from '../../dist/src/store/open.js';

const [url, skuId, priceMinor] = process.argv.slice(2);
const store = await openEngine(parseDatabaseUrl(url), { poolSize: 8 });
const log = createLogger('silent');
const partners = new PartnerService({ store, log, now: Date.now });
const ledger = new LedgerService({ store, log, now: Date.now });
const commerce = new CommerceService({
  store,
  log,
  now: Date.now,
  settings: DEFAULT_COMMERCE,
  ledger,
  rateAt: (partnerId, atMs, tx) => partners.rateAt(partnerId, atMs, tx),
  webhookSecret: undefined,
});
const buyer = { kind: 'user', userId: 'u1', tokenId: 't1', expiresAt: Date.now() + 3_600_000 };
const say = (line) => process.stdout.write(`${line}\n`);
let next = 0;
async function worker(w) {
  for (;;) {
    const key = `w${w}-${next++}`;
    try {
      const placed = await commerce.orders.place(buyer, key, [{ skuId, quantity: 1 }]);
      const id = JSON.parse(placed.body).id;
      say(`placed ${key} ${id}`);
      const event = { id: `evt-${key}`, type: 'payment.succeeded', orderId: id, currency: 'EUR' };
      await commerce.payments.apply({ ...event, amountMinor: Number(priceMinor) }, Date.now());
      say(`paid ${key} ${id}`);
    } catch (err) {
      say(`refused ${key} ${err.code ?? err.message}`);
      if (err.code === 'OUT_OF_STOCK') return;
    }
  }
}
say('ready');
await Promise.all([0, 1, 2, 3].map(worker));
say('done');
await commerce.close();
await store.close();
