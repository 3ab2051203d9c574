import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { partnerWithModel } from '../support/devices.js';
import { startHub, type TestHub, tempDir } from '../support/hub.js';
import { connected, end } from '../support/mqtt.js';
import type { OnboardedPartner } from '../support/partners.js';

describe('ecohub provision', () => {
  let hub: TestHub;
  let partner: OnboardedPartner;
  let modelId: string;
  beforeAll(async () => {
    hub = await startHub();
    ({ partner, modelId } = await partnerWithModel(hub));
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('provisions in chunks with progress and writes credentials that connect', async () => {
    const out = join(tempDir(), 'devices.csv');
    const res = await runCli(
      [
        'provision',
        '--hub',
        hub.httpUrl,
        '--model',
        modelId,
        '--version',
        '1',
        '--count',
        '25',
        '--chunk',
        '10',
        '--out',
        out,
      ],
      { ECOHUB_API_KEY: partner.key },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('provisioned 10/25 devices (1/3 batches');
    expect(res.stderr).toContain('provisioned 25/25 devices (3/3 batches');
    expect(res.stdout).toContain('done: 25 devices');
    expect(res.stdout + res.stderr).not.toContain(partner.key);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('device_id,secret,pairing_code,model,version');
    expect(lines).toHaveLength(26);
    const [id = '', secret = ''] = (lines[1] ?? '').split(',');
    await end(await connected(hub.mqttUrl, { clientId: id, username: id, password: secret }));
    const batches = await hub.request('GET', '/v1/device-batches', { token: partner.key });
    expect((batches.body['items'] as unknown[]).length).toBe(3);
  });

  it('writes JSON when the file ends in .json', async () => {
    const out = join(tempDir(), 'devices.json');
    const res = await runCli(
      ['provision', '--hub', hub.httpUrl, '--model', modelId, '--version', '1', '--count', '3', '--out', out],
      {
        ECOHUB_API_KEY: partner.key,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { devices: unknown[]; batches: unknown[] };
    expect(doc.devices).toHaveLength(3);
    expect(doc.batches).toHaveLength(1);
  });

  it.each([
    [['--count', 'ten'], '--count must be a whole number'],
    [['--count', '5', '--out', 'x.txt'], '--out must end in .csv or .json'],
    [['--count', '5'], '--out is required'],
  ])('rejects %j naming the flag', async (extra, message) => {
    const res = await runCli(
      ['provision', '--hub', hub.httpUrl, '--model', modelId, '--version', '1', ...extra],
      {
        ECOHUB_API_KEY: partner.key,
      },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it('reports the hub refusing with its problem detail', async () => {
    const out = join(tempDir(), 'none.csv');
    const res = await runCli(
      [
        'provision',
        '--hub',
        hub.httpUrl,
        '--model',
        'nope.light.x',
        '--version',
        '1',
        '--count',
        '1',
        '--out',
        out,
      ],
      {
        ECOHUB_API_KEY: partner.key,
      },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('(404)');
  });
});
