import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { onboardPartner } from '../support/partners.js';

type Contract = { id: string; rateBp: number; effectiveFrom: string; note: string | null };
type History = { current: Contract | null; items: Contract[] };

const APPROVED_AT = Date.parse('2030-01-10T12:00:00Z');

describe('partner commission contracts', () => {
  let hub: TestHub;
  // The hub's clock; each test starts on the approval day and moves it forward itself.
  let now = APPROVED_AT;
  beforeAll(async () => {
    hub = await startHub({ now: () => now });
  });
  beforeEach(() => {
    now = APPROVED_AT;
  });
  afterAll(async () => {
    await hub.stop();
  });

  async function history(partnerId: string, token = ADMIN_TOKEN): Promise<History> {
    const res = await hub.request('GET', `/v1/partners/${partnerId}/contracts`, { token });
    expect(res.status, res.text).toBe(200);
    return res.body as unknown as History;
  }

  function setContract(partnerId: string, body: Record<string, unknown>, token = ADMIN_TOKEN) {
    return hub.request('POST', `/v1/partners/${partnerId}/contracts`, { token, body });
  }

  it('starts with the approval contract in force from the approval day (UTC)', async () => {
    const p = await onboardPartner(hub, { rateBp: 650 });
    const h = await history(p.partnerId, p.key);
    expect(h.current).toMatchObject({ rateBp: 650, effectiveFrom: '2030-01-10' });
    expect(h.items).toHaveLength(1);
    expect(await hub.partners.rateAt(p.partnerId, Date.parse('2030-01-10T00:00:00Z'))).toBe(650);
  });

  it('keeps the full history newest first and switches rates exactly at UTC midnight', async () => {
    const p = await onboardPartner(hub);
    const feb = await setContract(p.partnerId, {
      rateBp: 800,
      effectiveFrom: '2030-02-01',
      note: 'volume tier',
    });
    expect(feb.status, feb.text).toBe(201);
    expect(feb.body).toMatchObject({
      rateBp: 800,
      effectiveFrom: '2030-02-01',
      note: 'volume tier',
      partnerId: p.partnerId,
    });
    now += 60_000;
    const mar = await setContract(p.partnerId, { rateBp: 300, effectiveFrom: '2030-03-01' });
    expect(mar.status).toBe(201);

    const h = await history(p.partnerId);
    expect(h.items.map((c) => [c.effectiveFrom, c.rateBp])).toEqual([
      ['2030-03-01', 300],
      ['2030-02-01', 800],
      ['2030-01-10', 500],
    ]);
    expect(h.current?.rateBp).toBe(500);

    const rateAt = (iso: string) => hub.partners.rateAt(p.partnerId, Date.parse(iso));
    expect(await rateAt('2030-01-31T23:59:59.999Z')).toBe(500);
    expect(await rateAt('2030-02-01T00:00:00.000Z')).toBe(800);
    expect(await rateAt('2030-02-28T23:59:59.999Z')).toBe(800);
    expect(await rateAt('2030-03-01T00:00:00.000Z')).toBe(300);
    expect(await rateAt('2031-01-01T00:00:00.000Z')).toBe(300);

    now = Date.parse('2030-02-15T09:00:00Z');
    expect((await history(p.partnerId, p.key)).current).toMatchObject({
      rateBp: 800,
      effectiveFrom: '2030-02-01',
    });
  });

  it('on the same effective date, the latest created contract wins, even within one millisecond', async () => {
    const p = await onboardPartner(hub);
    await setContract(p.partnerId, { rateBp: 700, effectiveFrom: '2030-01-20' });
    await setContract(p.partnerId, { rateBp: 720, effectiveFrom: '2030-01-20' });
    now += 1;
    await setContract(p.partnerId, { rateBp: 710, effectiveFrom: '2030-01-21' });
    await setContract(p.partnerId, { rateBp: 730, effectiveFrom: '2030-01-21' });
    expect(await hub.partners.rateAt(p.partnerId, Date.parse('2030-01-20T12:00:00Z'))).toBe(720);
    expect(await hub.partners.rateAt(p.partnerId, Date.parse('2030-01-21T12:00:00Z'))).toBe(730);
    const h = await history(p.partnerId);
    expect(h.items.map((c) => c.rateBp)).toEqual([730, 710, 720, 700, 500]);
  });

  it('refuses backdating and same-day changes: a sale already made keeps its rate', async () => {
    const p = await onboardPartner(hub);
    for (const effectiveFrom of ['2030-01-09', '2030-01-10', '2029-12-31']) {
      const res = await setContract(p.partnerId, { rateBp: 900, effectiveFrom });
      expect(res.status, effectiveFrom).toBe(400);
      expect(res.body.errors).toEqual([
        { path: '/effectiveFrom', message: expect.stringContaining('after today') },
      ]);
    }
    expect((await setContract(p.partnerId, { rateBp: 900, effectiveFrom: '2030-01-11' })).status).toBe(201);
    expect((await history(p.partnerId)).items).toHaveLength(2);
  });

  it('names every bad field: no coercion, integers only, real dates', async () => {
    const p = await onboardPartner(hub);
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ rateBp: '500', effectiveFrom: '2030-02-01' }, ['/rateBp']],
      [{ rateBp: 1.5, effectiveFrom: '2030-02-01' }, ['/rateBp']],
      [{ rateBp: 10_001, effectiveFrom: '2030-02-01' }, ['/rateBp']],
      [{ rateBp: 500, effectiveFrom: '2030-02-30' }, ['/effectiveFrom']],
      [{ rateBp: 500, effectiveFrom: '2030-02-01T00:00:00Z' }, ['/effectiveFrom']],
      [{ rateBp: 500 }, ['/effectiveFrom']],
      [{ rateBp: 500, effectiveFrom: '2030-02-01', starts: 'soon' }, ['/starts']],
    ];
    for (const [body, paths] of cases) {
      const res = await setContract(p.partnerId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect([...new Set(res.body.errors?.map((e) => e.path))], JSON.stringify(body)).toEqual(paths);
    }
    expect((await history(p.partnerId)).items).toHaveLength(1);
  });

  it('lets only the operator set contracts', async () => {
    const p = await onboardPartner(hub);
    const own = await setContract(p.partnerId, { rateBp: 0, effectiveFrom: '2030-02-01' }, p.key);
    expect(own.status).toBe(403);
    expect(own.body['code']).toBe('FORBIDDEN');
    const unknown = await setContract('0000000000000000', { rateBp: 100, effectiveFrom: '2030-02-01' });
    expect(unknown.status).toBe(404);
    expect((await history(p.partnerId)).items).toHaveLength(1);
  });

  it('rateAt: unknown partner is NOT_FOUND, a time before the first contract is INVALID_STATE', async () => {
    const p = await onboardPartner(hub);
    await expect(hub.partners.rateAt('0000000000000000', now)).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    await expect(hub.partners.rateAt(p.partnerId, Date.parse('2030-01-09T23:59:59.999Z'))).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });
});
