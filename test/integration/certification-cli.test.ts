import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../firmware-sim/index.js';
import { runCli } from '../support/cli.js';
import { onboardDeviceMaker, provision } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import { startSim, submittedModel, TEST_BUDGETS } from './certification-support.js';

/** `ecohub cert`: run the harness from a terminal, fetch the signed report, verify it offline. */

let hub: TestHub;
let sim: SimulatedDevice;
let watchedSim: SimulatedDevice;
let dir: string;

beforeAll(async () => {
  hub = await startHub();
  dir = mkdtempSync(join(tmpdir(), 'ecohub-cert-cli-'));
}, 30_000);
afterAll(async () => {
  await sim?.stop();
  await watchedSim?.stop();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ecohub cert', () => {
  it('runs a certification, prints each case, and the report verifies offline until a byte changes', async () => {
    const partner = await onboardDeviceMaker(hub);
    const { doc, device } = await submittedModel(hub, partner, 'acme.remote-control.r1');
    const [second] = await provision(hub, partner, doc.model, 1);
    if (second === undefined) throw new Error('no device');
    sim = await startSim(hub, doc, device);
    watchedSim = await startSim(hub, doc, second);
    const env = { ECOHUB_URL: hub.httpUrl, ECOHUB_API_KEY: partner.key };
    const runArgs = (did: string) => [
      'cert',
      'run',
      '--model',
      doc.model,
      '--version',
      '1',
      '--device',
      did,
      '--budgets',
      JSON.stringify(TEST_BUDGETS),
    ];
    // One run polled over REST, one followed over MQTT with the partner's key, side by side.
    const [run, overMqtt] = await Promise.all([
      runCli(runArgs(device.id), env, 90_000),
      runCli([...runArgs(second.id), '--mqtt', hub.mqttUrl], env, 90_000),
    ]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(overMqtt.code, overMqtt.stderr + overMqtt.stdout).toBe(0);
    expect(overMqtt.stderr).toContain('over MQTT at');
    expect(overMqtt.stderr).not.toContain('polling REST');
    const lines = (out: string) =>
      out
        .split('\n')
        .filter((l) => /^(pass|FAIL) /.test(l))
        .map((l) => l.split(' ')[1]);
    // The same cases; over MQTT in the order they were decided, which may differ from plan order.
    expect(lines(overMqtt.stdout).sort()).toEqual(lines(run.stdout).sort());
    expect(overMqtt.stdout).toMatch(/^run \S+ finished: pass/m);
    expect(run.stdout).toContain('pass reconnect.backoff');
    const runId = /^run (\S+) finished: pass/m.exec(run.stdout)?.[1];
    expect(runId).toBeDefined();

    const out = join(dir, 'report.json');
    const report = await runCli(['cert', 'report', String(runId), '--out', out], env);
    expect(report.code, report.stderr).toBe(0);
    const pem = join(dir, 'hub.pem');
    expect((await runCli(['cert', 'key', '--out', pem], { ECOHUB_URL: hub.httpUrl })).code).toBe(0);

    // Offline: no hub needed.
    const valid = await runCli(['cert', 'verify', out, '--key', pem], { ECOHUB_URL: 'http://127.0.0.1:9' });
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toContain(`valid: run ${runId} verdict pass`);
    const bytes = readFileSync(out);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 1;
    writeFileSync(out, bytes);
    const tampered = await runCli(['cert', 'verify', out, '--key', pem]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('INVALID');

    const missing = await runCli(['cert', 'run', '--model', doc.model], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--version is required');
  }, 120_000);
});
