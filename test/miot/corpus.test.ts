import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng, randomValue } from '../../firmware-sim/index.js';
import {
  checkArguments,
  checkPropertyValue,
  compileSpec,
  exportMiotJson,
  importMiotJson,
  type ModelSpec,
  type Violation,
  validateModelDocument,
} from '../../src/registry/spec/index.js';
import { parseExactJson } from '../../src/registry/spec/miot/exact-json.js';
import { EcohubClient } from '../../src/sdk/index.js';
import { quietDevice, shadowOf } from '../integration/sim-support.js';
import { claim, onboardDeviceMaker, provision } from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { publishVersion } from '../support/models.js';
import { loadCorpus } from './corpus.js';
import { essentials, expectedAfterRoundTrip } from './round-trip.js';

/**
 * Every real MIoT-Spec-V2 instance of the corpus, end to end: it imports with no errors, lints with
 * no errors, comes back unchanged from an export (apart from what the import notes announce), is
 * imported and published through REST by a partner, and a simulated device of it, addressed by iid
 * as MIoT firmware is, connects, reports every notify property, accepts a set of every writable
 * property and runs every action with valid arguments, driven by an SDK phone. The table of results
 * and the lint warnings left are printed at the end (and written to $MIOT_REPORT when set).
 */

const corpus = loadCorpus();
const MAX_SET = 64; // a phone's set carries at most 64 properties (docs/protocol.md)

type Step = 'import' | 'lint' | 'publish' | 'loop';
const results = new Map<string, Partial<Record<Step, string>>>();
const warnings: Array<{ file: string; violation: Violation }> = [];

function mark(file: string, step: Step, outcome: string): void {
  results.set(file, { ...results.get(file), [step]: outcome });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

describe(`MIoT-Spec-V2 corpus (${corpus.documents.length} documents in ${corpus.dir})`, () => {
  let hub: TestHub;
  let user: Awaited<ReturnType<typeof newUser>>;
  let phone: EcohubClient;

  beforeAll(async () => {
    hub = await startHub({ commandTimeoutMs: 10_000 });
    user = await newUser(hub);
    phone = await EcohubClient.login(hub.httpUrl, user.email, user.password, { mqttUrl: hub.mqttUrl });
    await phone.connect();
  });

  afterAll(async () => {
    await phone?.close();
    await hub?.stop();
    const table = [
      '| document | import | lint | publish | simulated loop |',
      '| --- | --- | --- | --- | --- |',
      ...corpus.documents.map(({ file }) => {
        const r = results.get(file) ?? {};
        return `| ${file.replace(/\.json$/, '')} | ${r.import ?? 'FAILED'} | ${r.lint ?? '-'} | ${r.publish ?? '-'} | ${r.loop ?? '-'} |`;
      }),
      '',
      `Lint warnings left (${warnings.length}):`,
      ...warnings.map(({ file, violation: v }) => `- ${file} ${v.rule} ${v.path}: ${v.message}`),
    ].join('\n');
    console.log(table);
    const out = process.env['MIOT_REPORT'];
    if (out !== undefined && out !== '') writeFileSync(out, `${table}\n`);
  });

  it('has documents', () => {
    expect(corpus.documents.length).toBeGreaterThan(0);
  });

  it.each(corpus.documents)('$file', async ({ file, text }) => {
    // Import: no errors; every change is a note with a pointer into the source.
    const imported = importMiotJson(text);
    if (!imported.ok) throw new Error(`${file} does not import: ${JSON.stringify(imported.errors)}`);
    for (const note of imported.notes)
      expect(note.path === '' || note.path.startsWith('/'), note.path).toBe(true);
    mark(file, 'import', `ok (${imported.notes.length} notes)`);

    // Lint: no errors; warnings are collected for the closing note.
    const lint = validateModelDocument(imported.document);
    expect(
      lint.violations.filter((v) => v.severity === 'error'),
      file,
    ).toEqual([]);
    for (const violation of lint.violations) warnings.push({ file, violation });
    mark(file, 'lint', `ok (${lint.violations.length} warnings)`);

    // Round trip: export gives the source back, apart from what the notes announce.
    const exported = parseExactJson(exportMiotJson(imported.document));
    const source = parseExactJson(text);
    expect(essentials(exported)).toEqual(expectedAfterRoundTrip(source, imported.notes, exported));

    // Publish through REST: a partner imports it (its slug in the model id), then the lifecycle.
    const partner = await onboardDeviceMaker(hub);
    const res = await hub.request('POST', '/v1/models/import/miot', { token: partner.key, body: text });
    expect(res.status, res.text).toBe(201);
    const spec = res.body['document'] as ModelSpec;
    const version = Number(res.body['version']);
    expect(spec.model.startsWith(`${partner.slug}.`)).toBe(true);
    const local = importMiotJson(text, { partner: partner.slug });
    expect(local.ok && local.document).toEqual(spec);
    expect(version).toBe(imported.document.specVersion);
    await publishVersion(hub, partner, spec.model, version);
    mark(file, 'publish', `ok (${spec.model.slice(partner.slug.length + 1)} v${version})`);

    // The simulated loop, driven by the phone.
    const compiled = compileSpec(spec);
    const [device] = await provision(hub, partner, spec.model, 1, version);
    if (!device) throw new Error('no device provisioned');
    await claim(hub, user.token, device);
    const sim = quietDevice(hub.mqttUrl, spec, device);
    try {
      await sim.start(); // resolves once the full report is stored (PUBACK)
      const notify = compiled.properties.filter((p) => p.notifiable);
      const shadow = await shadowOf(hub, partner.key, device.id);
      for (const p of notify) expect(shadow.shadow.reported[p.key], `${file} reports ${p.key}`).toBeDefined();

      const rng = createPrng(0x5eed);
      const writable = compiled.properties.filter((p) => p.writable);
      const values = new Map(writable.map((p) => [p.key, randomValue(p, rng)]));
      for (const batch of chunks(writable, MAX_SET)) {
        const props = Object.fromEntries(batch.map((p) => [p.key, values.get(p.key)]));
        const reply = await phone.command(device.id, { op: 'set', props });
        expect(reply, `${file} set`).toMatchObject({ status: 'ok' });
      }
      // The device reflects notify properties in a report before it answers; get reads the rest.
      const after = await shadowOf(hub, partner.key, device.id);
      for (const p of writable.filter((w) => w.notifiable)) {
        expect(after.shadow.reported[p.key]?.value, `${file} reflects ${p.key}`).toEqual(values.get(p.key));
      }
      for (const batch of chunks(
        writable.filter((p) => p.readable),
        MAX_SET,
      )) {
        const got = await phone.command(device.id, { op: 'get', props: batch.map((p) => p.key) });
        const props = (got.data as { props: Record<string, unknown> }).props;
        for (const p of batch) expect(props[p.key], `${file} get ${p.key}`).toEqual(values.get(p.key));
      }

      for (const action of compiled.actions) {
        const inputs = action.in.map((p) => ({ piid: p.piid, value: randomValue(p, rng) }));
        const result = await phone.command(device.id, { op: 'action', action: action.key, in: inputs });
        expect(result.status, `${file} ${action.key}`).toBe('ok');
        const out = (result.data as { out: Array<{ piid: number; value: unknown }> }).out;
        const outPiids = action.out.map((p) => p.piid);
        expect(checkArguments(compiled, action.siid, outPiids, out), `${file} ${action.key} out`).toEqual([]);
        for (const o of out) {
          const prop = compiled.propertyByIid(action.siid, o.piid);
          expect(prop && checkPropertyValue(prop, o.value)).toBeUndefined();
        }
      }

      for (const event of compiled.events) {
        const stored = nextEvent(hub, 'event', (e) => e.deviceId === device.id && e.event === event.key);
        await sim.sendEvent(event.key);
        await stored;
      }
      mark(
        file,
        'loop',
        `ok (${notify.length} reported, ${writable.length} set, ${compiled.actions.length} actions, ${compiled.events.length} events)`,
      );
    } finally {
      await sim.stop();
    }
  });
});
