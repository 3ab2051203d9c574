import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../firmware-sim/index.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { connectDevice, onboardDeviceMaker, type ProvisionedDevice, provision } from '../support/devices.js';
import { newUser, scrapeMetrics, startHub, type TestHub } from '../support/hub.js';
import { connect, connected, end, phoneOptions, subscribeCode } from '../support/mqtt.js';
import type { OnboardedPartner } from '../support/partners.js';
import { startSim, submittedModel, TEST_BUDGETS } from './certification-support.js';

/**
 * A partner watches its certification run over MQTT (docs/certification.md, "Watching a run";
 * docs/protocol.md, "Partners"): its API key is its MQTT identity, it subscribes to its own runs
 * only, and revoking the key ends the session.
 */

let hub: TestHub;
let acme: OnboardedPartner;
let other: OnboardedPartner;
let doc: ModelSpec;
let device: ProvisionedDevice;
const clients: MqttClient[] = [];

interface Received {
  topic: string;
  body: Record<string, unknown>;
}

function partnerOptions(partner: { partnerId: string; key: string }, label: string) {
  return { clientId: `partner/${partner.partnerId}/${label}`, username: 'partner', password: partner.key };
}

async function partnerClient(partner: { partnerId: string; key: string }, label: string) {
  const client = await connected(hub.mqttUrl, partnerOptions(partner, label));
  clients.push(client);
  return client;
}

function collect(client: MqttClient): Received[] {
  const got: Received[] = [];
  client.on('message', (topic, payload) => {
    got.push({ topic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
  });
  return got;
}

/** Resolves when `test` holds for a message of `client`, rejects after `ms`. */
function waitMessage(client: MqttClient, test: (m: Received) => boolean, ms: number): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', on);
      reject(new Error(`no such message within ${ms} ms`));
    }, ms);
    const on = (topic: string, payload: Buffer) => {
      const m = { topic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown> };
      if (!test(m)) return;
      clearTimeout(timer);
      client.off('message', on);
      resolve(m);
    };
    client.on('message', on);
  });
}

function closed(client: MqttClient, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.disconnected || !client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

beforeAll(async () => {
  hub = await startHub();
  acme = await onboardDeviceMaker(hub);
  other = await onboardDeviceMaker(hub);
  ({ doc, device } = await submittedModel(hub, acme, 'acme.light.bulb1'));
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => end(c)));
  await hub?.stop();
});

describe('a partner MQTT identity', () => {
  it('connects with its API key under a client id of its own namespace; anything else is refused', async () => {
    const ok = [`partner/${acme.partnerId}`, `partner/${acme.partnerId}/ci-1`, ''];
    for (const clientId of ok) {
      const outcome = await connect(hub.mqttUrl, { ...partnerOptions(acme, 'x'), clientId });
      expect(outcome.ok, `${clientId}: ${outcome.ok ? '' : outcome.error}`).toBe(true);
      if (outcome.ok) await end(outcome.client);
    }
    const user = await newUser(hub);
    const refused: Array<[string, Record<string, unknown>, number]> = [
      ['another partner namespace', { clientId: `partner/${other.partnerId}/x` }, 2],
      ['a device id', { clientId: device.id }, 2],
      ["a phone's", { clientId: `app/${user.id}` }, 2],
      ['a library default', { clientId: 'mqttjs_0123abcd' }, 2],
      ['a label with a slash', { clientId: `partner/${acme.partnerId}/a/b` }, 2],
      ['a persistent session', { clean: false }, 2],
      ['a wrong key', { password: `${acme.key.slice(0, -4)}AAAA` }, 4],
      ["another partner's key", { password: other.key }, 2],
      ["a user's token", { password: user.token }, 4],
      ['a will', { will: { topic: `partner/${acme.partnerId}/cert-runs/x/state`, payload: 'x' } }, 5],
    ];
    for (const [what, extra, code] of refused) {
      const outcome = await connect(hub.mqttUrl, { ...partnerOptions(acme, 'x'), ...extra });
      expect(outcome.ok, what).toBe(false);
      if (!outcome.ok) expect(outcome.code, `${what}: ${outcome.error}`).toBe(code);
    }
  });

  it('subscribes only to its own certification runs, and may not publish', async () => {
    const watcher = await partnerClient(acme, 'acl');
    const base = `partner/${acme.partnerId}/cert-runs`;
    for (const filter of [`${base}/#`, `${base}/+/cases`, `${base}/+/state`, `${base}/abc123/#`]) {
      expect(await subscribeCode(watcher, filter), filter).toBe(1);
    }
    for (const filter of [
      `partner/${other.partnerId}/cert-runs/#`,
      `partner/+/cert-runs/#`,
      `partner/${acme.partnerId}/#`,
      `${base}/abc/cases/more`,
      '#',
      '$SYS/#',
      `dev/${device.id}/shadow`,
      'dev/+/presence',
      'app/+/replies',
    ]) {
      expect(await subscribeCode(watcher, filter), filter).toBe(128);
    }
    // A refused subscription leaves the session up; a publish anywhere closes it.
    const gone = closed(watcher, 5000);
    watcher.publish(`${base}/abc123/state`, '{}', { qos: 1 });
    await gone;
  });

  it('holds at most 20 filters, and subscribes at a bounded rate', async () => {
    const third = await onboardDeviceMaker(hub);
    const client = await partnerClient(third, 'cap');
    const filter = (i: number) => `partner/${third.partnerId}/cert-runs/run${i}/#`;
    for (let i = 0; i < 20; i++) expect(await subscribeCode(client, filter(i))).toBe(1);
    expect(await subscribeCode(client, filter(20)), 'the 21st filter').toBe(128);
    await client.unsubscribeAsync(filter(0));
    // The slot is free, but 20 subscriptions at once used the partner's burst: refused, then granted.
    expect(await subscribeCode(client, filter(20))).toBe(128);
    const deadline = Date.now() + 5000;
    let code = 128;
    while (code === 128 && Date.now() < deadline) code = await subscribeCode(client, filter(20));
    expect(code).toBe(1);
  });
});

describe('watching a run over MQTT', () => {
  let sim: SimulatedDevice;
  afterAll(async () => {
    await sim?.stop();
  });

  it('shows every case in order with its verdict, then the signed report; nobody else sees it; a revoked key is cut off', async () => {
    const base = `partner/${acme.partnerId}/cert-runs`;
    const watcher = await partnerClient(acme, 'watch');
    const seen = collect(watcher);
    expect(await subscribeCode(watcher, `${base}/#`)).toBe(1);

    const second = await hub.request('POST', `/v1/partners/${acme.partnerId}/api-keys`, {
      token: acme.key,
      body: { label: 'second watcher' },
    });
    expect(second.status, second.text).toBe(201);
    const key2 = {
      partnerId: acme.partnerId,
      key: String(second.body['key']),
      id: String(second.body['id']),
    };
    const revokable = await partnerClient(key2, 'revokable');
    const seenByRevoked = collect(revokable);
    let closedAt = Number.POSITIVE_INFINITY;
    revokable.on('close', () => {
      closedAt = Math.min(closedAt, seenByRevoked.length);
    });
    expect(await subscribeCode(revokable, `${base}/+/cases`)).toBe(1);

    // Another partner, a device and a phone try; the other partner's own filter is granted but stays quiet.
    const stranger = await partnerClient(other, 'stranger');
    const seenByStranger = collect(stranger);
    expect(await subscribeCode(stranger, `${base}/#`)).toBe(128);
    expect(await subscribeCode(stranger, `partner/${other.partnerId}/cert-runs/#`)).toBe(1);
    const [bystander] = await provision(hub, acme, doc.model, 1);
    if (bystander === undefined) throw new Error('no device');
    const deviceClient = await connectDevice(hub.mqttUrl, bystander);
    clients.push(deviceClient);
    const seenByDevice = collect(deviceClient);
    expect(await subscribeCode(deviceClient, `${base}/#`)).toBe(128);
    const user = await newUser(hub);
    const phone = await connected(hub.mqttUrl, phoneOptions(user));
    clients.push(phone);
    const seenByPhone = collect(phone);
    expect(await subscribeCode(phone, `${base}/#`)).toBe(128);
    expect(await subscribeCode(phone, '#')).toBe(128);

    sim = await startSim(hub, doc, device);
    const startedRun = await hub.request('POST', '/v1/certification/runs', {
      token: acme.key,
      body: { modelId: doc.model, version: 1, deviceId: device.id, budgets: TEST_BUDGETS },
    });
    expect(startedRun.status, startedRun.text).toBe(202);
    const runId = String(startedRun.body['id']);
    const finished = waitMessage(
      watcher,
      (m) => m.topic === `${base}/${runId}/state` && m.body['event'] === 'finished',
      120_000,
    );

    // The second key is revoked once its watcher has seen a case decided: nothing reaches it after.
    await waitMessage(revokable, (m) => m.body['event'] === 'finished', 60_000);
    const revoked = await hub.request('DELETE', `/v1/partners/${acme.partnerId}/api-keys/${key2.id}`, {
      token: acme.key,
    });
    expect(revoked.status, revoked.text).toBe(204);
    await closed(revokable, 5000);
    const again = await connect(hub.mqttUrl, partnerOptions(key2, 'revokable'));
    expect(again.ok ? 0 : again.code).toBe(4);

    const final = await finished;
    await hub.certification.whenDone(runId);
    const plan = await hub.request('GET', `/v1/certification/models/${doc.model}/versions/1/plan`, {
      token: acme.key,
    });
    const planned = (plan.body['cases'] as Array<{ id: string }>).map((c) => c.id);

    // The run's own messages, in the order they arrived.
    const mine = seen.filter((m) => m.body['runId'] === runId);
    expect(mine[0]?.topic).toBe(`${base}/${runId}/state`);
    expect(mine[0]?.body['event']).toBe('started');
    expect(mine[0]?.body['total']).toBe(planned.length);
    const cases = mine.filter((m) => m.topic === `${base}/${runId}/cases`);
    const decided = cases.filter((m) => m.body['event'] === 'finished');
    expect(decided.map((m) => m.body['caseId'])).toEqual(planned);
    for (const m of decided) {
      const caseId = m.body['caseId'];
      const startedIndex = cases.findIndex(
        (c) => c.body['caseId'] === caseId && c.body['event'] === 'started',
      );
      expect(startedIndex, `${String(caseId)} started before it was decided`).toBeGreaterThanOrEqual(0);
      expect(startedIndex).toBeLessThan(cases.indexOf(m));
      expect(m.body['verdict'], String(caseId)).toBe('pass');
      expect(typeof m.body['durationMs']).toBe('number');
      expect((m.body['evidence'] as { messages: number }).messages).toBeGreaterThan(0);
    }
    expect(cases.filter((m) => m.body['event'] === 'started')).toHaveLength(planned.length);
    expect(mine[mine.length - 1]).toEqual(final);
    expect(final.body).toMatchObject({
      state: 'finished',
      verdict: 'pass',
      total: planned.length,
      failed: 0,
    });

    // The closing figure of issue 17 (docs/certification.md): one run against a well-behaved device.
    console.log(
      `${doc.model}: ${planned.length} cases, ${String(final.body['durationMs'])} ms, ${cases.length} case messages over MQTT`,
    );

    // The final message names the signed report: its hash is that of the bytes served.
    const report = final.body['report'] as { keyId: string; sha256: string; href: string };
    const raw = await hub.request('GET', `/v1/certification/runs/${runId}/report.json`, { token: acme.key });
    expect(raw.status).toBe(200);
    expect(createHash('sha256').update(raw.text).digest('hex')).toBe(report.sha256);
    expect(report.href).toBe(`/v1/certification/runs/${runId}/report`);

    // The revoked key's session saw a prefix of the run and nothing after its close.
    expect(seenByRevoked.length).toBeGreaterThan(0);
    expect(seenByRevoked.length).toBe(closedAt);
    expect(seenByRevoked.length).toBeLessThan(cases.length);
    expect(seenByStranger).toEqual([]);
    expect(seenByDevice).toEqual([]);
    expect(seenByPhone).toEqual([]);

    const metrics = await scrapeMetrics(hub);
    expect(metrics.get('ecohub_certification_progress_messages_total{topic="cases"}')).toBe(cases.length);
    expect(metrics.get('ecohub_mqtt_partner_sessions')).toBeGreaterThanOrEqual(2);
  }, 150_000);
});
