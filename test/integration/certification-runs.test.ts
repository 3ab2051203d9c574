import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../firmware-sim/index.js';
import { verifyBytes } from '../../src/certification/signing.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { onboardDeviceMaker, type ProvisionedDevice } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { versionPath } from '../support/models.js';
import type { OnboardedPartner } from '../support/partners.js';
import { type RunView, runToEnd, startSim, submittedModel } from './certification-support.js';

/** A partner certifies a model by running the harness against a device (issue 17, "Done when"). */

let hub: TestHub;
let acme: OnboardedPartner;
let other: OnboardedPartner;
let doc: ModelSpec;
let device: ProvisionedDevice;
let sim: SimulatedDevice;
let run: RunView;

beforeAll(async () => {
  hub = await startHub();
  acme = await onboardDeviceMaker(hub);
  other = await onboardDeviceMaker(hub);
  ({ doc, device } = await submittedModel(hub, acme, 'acme.plug.p1'));
  sim = await startSim(hub, doc, device, {}, '2.4.1');
  run = await runToEnd(hub, acme.key, { modelId: doc.model, version: 1, deviceId: device.id });
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await hub?.stop();
});

describe('a certification run over REST', () => {
  it('runs every case of the plan against the simulator and passes, bound to the firmware it reported', async () => {
    expect(run.state).toBe('finished');
    expect(run.verdict).toBe('pass');
    const plan = await hub.request('GET', `/v1/certification/models/${doc.model}/versions/1/plan`, {
      token: acme.key,
    });
    expect(plan.status, plan.text).toBe(200);
    const planned = (plan.body['cases'] as Array<{ id: string }>).map((c) => c.id);
    expect(run.cases.map((c) => c.id)).toEqual(planned);
    expect(run.firmwareRevision).toBe('2.4.1');

    const one = await hub.request('GET', `/v1/certification/runs/${run.id}/cases/reconnect.backoff`, {
      token: acme.key,
    });
    expect(one.status, one.text).toBe(200);
    const evidence = one.body['evidence'] as Array<{ topic: string; payload: string }>;
    expect(evidence.filter((m) => m.payload.includes('CONNACK withheld'))).toHaveLength(8);
  });

  it('signs the report with the published key; changing any byte breaks the signature', async () => {
    const keys = await hub.request('GET', '/v1/certification/keys');
    expect(keys.status).toBe(200);
    const [key] = keys.body['items'] as Array<{ id: string; publicKey: string }>;
    const raw = await hub.request('GET', `/v1/certification/runs/${run.id}/report.json`, { token: acme.key });
    expect(raw.status).toBe(200);
    const header = raw.headers.get('ecohub-signature') ?? '';
    const signature = /signature="([^"]+)"/.exec(header)?.[1] ?? '';
    expect(header).toContain(`keyId="${key?.id}"`);
    const bytes = Buffer.from(raw.text, 'utf8');
    expect(verifyBytes(key?.publicKey ?? '', bytes, signature)).toBe(true);
    // Every byte position, changed: not one verifies.
    for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 400))) {
      const tampered = Buffer.from(bytes);
      tampered[i] = (tampered[i] as number) ^ 0x01;
      expect(verifyBytes(key?.publicKey ?? '', tampered, signature), `byte ${i}`).toBe(false);
    }
    const report = JSON.parse(raw.text) as Record<string, unknown>;
    expect(report).toMatchObject({
      verdict: 'pass',
      model: { id: doc.model, version: 1 },
      device: { id: device.id, firmwareRevision: '2.4.1' },
      keyId: key?.id,
    });
    const envelope = await hub.request('GET', `/v1/certification/runs/${run.id}/report`, { token: acme.key });
    expect(envelope.body['signature']).toEqual({ algorithm: 'Ed25519', keyId: key?.id, value: signature });
    const html = await hub.request('GET', `/v1/certification/runs/${run.id}/report.html`, {
      token: acme.key,
    });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.text).toContain('Certification report: <span class="verdict-pass">PASS</span>');
    expect(html.text).toContain('reconnect.backoff');
  });

  it('lets the operator certify on the passing report, and records it', async () => {
    const certified = await hub.request('POST', versionPath(doc.model, 1, 'certify'), {
      token: ADMIN_TOKEN,
      body: { note: 'harness run passed' },
    });
    expect(certified.status, certified.text).toBe(200);
    const history = await hub.request('GET', `/v1/certification/models/${doc.model}/versions/1`, {
      token: acme.key,
    });
    expect(history.status, history.text).toBe(200);
    expect(history.body['decisions']).toEqual([
      expect.objectContaining({
        kind: 'report',
        runId: run.id,
        reason: 'harness run passed',
        decidedBy: 'operator',
      }),
    ]);
  });

  it('refuses to certify a version without a passing run, unless the operator overrides with a reason', async () => {
    const { doc: bare } = await submittedModel(hub, acme, 'acme.light.bulb1');
    const refused = await hub.request('POST', versionPath(bare.model, 1, 'certify'), {
      token: ADMIN_TOKEN,
      body: { note: 'looks fine' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body['code']).toBe('CERTIFICATION_REQUIRED');
    const overridden = await hub.request('POST', versionPath(bare.model, 1, 'certify'), {
      token: ADMIN_TOKEN,
      body: { note: 'lab report 17-B from the partner, harness unavailable', override: true },
    });
    expect(overridden.status, overridden.text).toBe(200);
    const history = await hub.request('GET', `/v1/certification/models/${bare.model}/versions/1`, {
      token: acme.key,
    });
    expect(history.body['decisions']).toEqual([
      expect.objectContaining({
        kind: 'override',
        runId: null,
        reason: 'lab report 17-B from the partner, harness unavailable',
      }),
    ]);
  });

  it("keeps a partner away from another partner's runs, devices and plans", async () => {
    for (const path of [
      `/v1/certification/runs/${run.id}`,
      `/v1/certification/runs/${run.id}/report`,
      `/v1/certification/runs/${run.id}/report.json`,
      `/v1/certification/runs/${run.id}/cases/reconnect.backoff`,
      `/v1/certification/models/${doc.model}/versions/1/plan`,
      `/v1/certification/models/${doc.model}/versions/1`,
    ]) {
      const res = await hub.request('GET', path, { token: other.key });
      expect(res.status, path).toBe(404);
      expect((await hub.request('GET', path)).status, path).toBe(401);
    }
    const list = await hub.request('GET', '/v1/certification/runs', { token: other.key });
    expect(list.body['items']).toEqual([]);
    const mine = await hub.request('GET', '/v1/certification/runs', { token: acme.key });
    expect((mine.body['items'] as RunView[]).map((r) => r.id)).toContain(run.id);
    const stolen = await hub.request('POST', '/v1/certification/runs', {
      token: other.key,
      body: { modelId: doc.model, version: 1, deviceId: device.id },
    });
    expect(stolen.status).toBe(404);
    const user = await newUser(hub);
    const asUser = await hub.request('GET', `/v1/certification/runs/${run.id}`, { token: user.token });
    expect(asUser.status).toBe(403);
    const cancel = await hub.request('POST', `/v1/certification/runs/${run.id}/cancel`, { token: other.key });
    expect(cancel.status).toBe(404);
  });

  it('checks what it is asked to run: the device must be of that model version, the body strict', async () => {
    const { doc: bulb, device: bulbDevice } = await submittedModel(hub, acme, 'acme.fan.f1');
    const mismatch = await hub.request('POST', '/v1/certification/runs', {
      token: acme.key,
      body: { modelId: doc.model, version: 1, deviceId: bulbDevice.id },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body['errors']).toEqual([
      { path: '/deviceId', message: 'must be a device of this model version' },
    ]);
    const extra = await hub.request('POST', '/v1/certification/runs', {
      token: acme.key,
      body: { modelId: bulb.model, version: 1, deviceId: bulbDevice.id, budgets: { replyMs: 10 } },
    });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body['errors'])).toContain('/budgets/replyMs');
  });
});
