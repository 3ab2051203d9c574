import { createWriteStream, existsSync } from 'node:fs';
import { MAX_BATCH_SIZE } from '../registry/devices/provisioning.js';
import { type FlagSpec, formatHelp, parseFlags, parsePositiveInt, UsageError } from './flags.js';
import { connectionFlags, hubConnection } from './hub-api.js';
import type { CliIo } from './io.js';

const flags: readonly FlagSpec[] = [
  ...connectionFlags,
  { name: 'model', type: 'string', value: 'ID', help: 'Model id, e.g. acme.light.bulb1' },
  { name: 'version', type: 'string', value: 'N', help: 'Certified or published model version' },
  { name: 'count', type: 'string', value: 'N', help: `Devices to provision (1..${MAX_BATCH_SIZE * 10})` },
  {
    name: 'out',
    type: 'string',
    value: 'FILE',
    help: 'Where to write ids, secrets and pairing codes (.csv or .json)',
  },
  {
    name: 'chunk',
    type: 'string',
    value: 'N',
    help: 'Devices per request (each request is one batch)',
    default: '10000',
  },
  { name: 'label', type: 'string', value: 'TEXT', help: 'Batch label (the chunk number is appended)' },
  { name: 'force', type: 'boolean', help: 'Overwrite --out if it exists' },
];

export const PROVISION_HELP = formatHelp(
  'ecohub provision --model ID --version N --count N --out FILE [options]',
  'Provisions devices through the REST API in chunks, showing progress, and writes their credentials\n' +
    '(shown only once by the hub) to FILE as CSV or JSON. It needs a partner API key (ek_...).',
  flags,
);

interface ProvisionedBatch {
  batch: { id: string };
  devices: Array<{ id: string; secret: string; pairingCode: string }>;
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export async function runProvision(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, flags);
  if (values['help']) {
    io.stdout(PROVISION_HELP);
    return 0;
  }
  const { hub, apiKey } = hubConnection(values, io);
  if (!apiKey) throw new UsageError('--api-key (or ECOHUB_API_KEY) is required');
  const modelId = required(values, 'model');
  const version = parsePositiveInt({ value: required(values, 'version'), source: '--version' });
  const count = parsePositiveInt(
    { value: required(values, 'count'), source: '--count' },
    MAX_BATCH_SIZE * 10,
  );
  const chunk = parsePositiveInt(
    { value: String(values['chunk'] ?? '10000'), source: '--chunk' },
    MAX_BATCH_SIZE,
  );
  const out = required(values, 'out');
  const format = out.endsWith('.json') ? 'json' : out.endsWith('.csv') ? 'csv' : undefined;
  if (!format) throw new UsageError(`--out must end in .csv or .json, got '${out}'`);
  if (existsSync(out) && !values['force'])
    throw new UsageError(`--out ${out} exists; pass --force to overwrite it`);
  const label = typeof values['label'] === 'string' ? values['label'] : `cli ${new Date().toISOString()}`;

  const file = createWriteStream(out, { mode: 0o600 });
  const chunks = Math.ceil(count / chunk);
  const started = performance.now();
  const collected: ProvisionedBatch[] = [];
  let done = 0;
  try {
    if (format === 'csv') file.write('device_id,secret,pairing_code,model,version\n');
    for (let i = 0; i < chunks; i++) {
      const size = Math.min(chunk, count - done);
      const res = await fetch(`${hub.replace(/\/+$/, '')}/v1/device-batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          modelId,
          version,
          count: size,
          label: chunks > 1 ? `${label} (${i + 1}/${chunks})` : label,
        }),
      });
      const text = await res.text();
      if (res.status !== 201) {
        let detail = text;
        try {
          detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? text);
        } catch {}
        io.stderr(
          `${io.isTTY ? '\n' : ''}ecohub: the hub refused chunk ${i + 1}/${chunks} (${res.status}): ${detail}\n`,
        );
        io.stderr(`${done} devices were provisioned before the failure and are in ${out}\n`);
        return 1;
      }
      const batch = JSON.parse(text) as ProvisionedBatch;
      if (format === 'csv') {
        file.write(
          batch.devices.map((d) => `${d.id},${d.secret},${d.pairingCode},${modelId},${version}\n`).join(''),
        );
      } else {
        collected.push(batch);
      }
      done += batch.devices.length;
      const seconds = (performance.now() - started) / 1000;
      const line = `provisioned ${done}/${count} devices (${i + 1}/${chunks} batches, ${Math.round(done / seconds)}/s)`;
      io.stderr(io.isTTY ? `\r${line}` : `${line}\n`);
    }
    if (format === 'json') {
      file.write(
        JSON.stringify(
          { batches: collected.map((b) => b.batch), devices: collected.flatMap((b) => b.devices) },
          null,
          0,
        ),
      );
    }
  } finally {
    await new Promise<void>((resolve) => file.end(() => resolve()));
  }
  const seconds = (performance.now() - started) / 1000;
  if (io.isTTY) io.stderr('\n');
  io.stdout(
    `done: ${done} devices of ${modelId} v${version} in ${chunks} batch(es), ${seconds.toFixed(1)} s; credentials in ${out} (keep it secret)\n`,
  );
  return 0;
}
