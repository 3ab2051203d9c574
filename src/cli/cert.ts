import { readFileSync, writeFileSync } from 'node:fs';
import { verifyBytes } from '../certification/signing.js';
import { type DecidedCase, watchOverMqtt } from './cert-watch.js';
import { type FlagSpec, formatHelp, parseFlags, parsePositiveInt, pick, UsageError } from './flags.js';
import { call, connectionFlags, hubConnection } from './hub-api.js';
import type { CliIo } from './io.js';

const flags: readonly FlagSpec[] = [
  ...connectionFlags,
  { name: 'model', type: 'string', value: 'ID', help: 'run: the model id' },
  { name: 'version', type: 'string', value: 'N', help: 'run: the model version' },
  { name: 'device', type: 'string', value: 'ID', help: 'run: the connected test device' },
  {
    name: 'package',
    type: 'string',
    value: 'ID',
    help: 'run: a ready firmware package (adds the update cases)',
  },
  {
    name: 'budgets',
    type: 'string',
    value: 'JSON',
    help: 'run: budgets, e.g. {"replyMs":1500,"withheldConnacks":4} (docs/certification.md)',
  },
  {
    name: 'out',
    type: 'string',
    value: 'FILE',
    help: 'report: where to write the signed bytes (FILE.sig: the signature); key: the PEM',
  },
  {
    name: 'key',
    type: 'string',
    value: 'PEM',
    help: "verify: the hub's public key (from 'ecohub cert key')",
  },
  { name: 'signature', type: 'string', value: 'FILE', help: 'verify: the signature (default REPORT.sig)' },
  {
    name: 'mqtt',
    env: 'ECOHUB_MQTT_URL',
    type: 'string',
    value: 'URL',
    help: 'run: follow the run over MQTT (mqtt:// or ws://; a partner API key), not by polling REST',
  },
];

export const CERT_HELP = formatHelp(
  'ecohub cert run|report|key|verify [options]',
  'Certification (docs/certification.md):\n' +
    '  cert run --model ID --version N --device ID [--package ID] [--mqtt URL]   run the harness, print each case; exit 0 on pass\n' +
    '  cert report RUN --out FILE      fetch the signed report: the exact bytes to FILE, the signature to FILE.sig\n' +
    "  cert key --out FILE              fetch the hub's report-signing public key (PEM)\n" +
    '  cert verify FILE --key PEM       verify a report offline, with no hub: exit 0 valid, 1 not',
  flags,
);

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

interface RunView {
  id: string;
  partnerId: string;
  state: string;
  verdict: string | null;
  total: number;
  passed: number;
  failed: number;
  firmwareRevision: string | null;
  cases?: DecidedCase[];
}

export async function runCert(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseFlags(rest, flags, { positionals: true });
  if (values['help'] || sub === undefined || sub === '--help') {
    io.stdout(CERT_HELP);
    return sub === undefined ? 2 : 0;
  }
  const { hub, apiKey } = hubConnection(values, io);

  if (sub === 'verify') {
    const file = positionals[0];
    if (file === undefined) throw new UsageError('verify needs the report file');
    const bytes = readFileSync(file);
    const pem = readFileSync(required(values, 'key'), 'utf8');
    const signature = readFileSync(
      typeof values['signature'] === 'string' ? values['signature'] : `${file}.sig`,
      'utf8',
    ).trim();
    if (verifyBytes(pem, bytes, signature)) {
      const report = JSON.parse(bytes.toString('utf8')) as {
        runId?: string;
        verdict?: string;
        model?: unknown;
      };
      io.stdout(`valid: run ${report.runId} verdict ${report.verdict} ${JSON.stringify(report.model)}\n`);
      return 0;
    }
    io.stdout('INVALID: the signature does not match these bytes and this key\n');
    return 1;
  }
  if (sub === 'key') {
    const { text } = await call(hub, undefined, 'GET', '/v1/certification/keys');
    const keys = (
      JSON.parse(text) as { items: Array<{ id: string; publicKey: string; retiredAt: string | null }> }
    ).items;
    const current = keys.find((k) => k.retiredAt === null) ?? keys[0];
    if (current === undefined) throw new Error('the hub publishes no key');
    writeFileSync(required(values, 'out'), current.publicKey);
    io.stdout(`key ${current.id} written to ${String(values['out'])}\n`);
    return 0;
  }
  if (!apiKey) throw new UsageError('--api-key (or ECOHUB_API_KEY) is required');
  if (sub === 'report') {
    const runId = positionals[0];
    if (runId === undefined) throw new UsageError('report needs the run id');
    const out = required(values, 'out');
    const { res, text } = await call(
      hub,
      apiKey,
      'GET',
      `/v1/certification/runs/${encodeURIComponent(runId)}/report.json`,
    );
    const header = res.headers.get('ecohub-signature') ?? '';
    const signature = /signature="([^"]+)"/.exec(header)?.[1];
    const keyId = /keyId="([^"]+)"/.exec(header)?.[1];
    if (signature === undefined) throw new Error('the answer carries no ecohub-signature header');
    writeFileSync(out, text);
    writeFileSync(`${out}.sig`, `${signature}\n`);
    io.stdout(`report of run ${runId} written to ${out} (signature ${out}.sig, key ${keyId})\n`);
    return 0;
  }
  if (sub === 'run') {
    const body = {
      modelId: required(values, 'model'),
      version: parsePositiveInt({ value: required(values, 'version'), source: '--version' }),
      deviceId: required(values, 'device'),
      ...(typeof values['package'] === 'string' ? { packageId: values['package'] } : {}),
      ...(typeof values['budgets'] === 'string' ? { budgets: budgetsOf(values['budgets']) } : {}),
    };
    const started = JSON.parse(
      (await call(hub, apiKey, 'POST', '/v1/certification/runs', body)).text,
    ) as RunView;
    io.stderr(`run ${started.id}: ${started.total} cases\n`);
    const printed = new Set<string>();
    const print = (c: DecidedCase, revised = false) => {
      if (printed.has(c.id) && !revised) return;
      printed.add(c.id);
      io.stdout(
        `${c.verdict === 'pass' ? 'pass' : 'FAIL'} ${c.id} (${c.durationMs} ms)${revised ? ' (revised)' : ''}${c.reasons.length > 0 ? `: ${c.reasons.join('; ')}` : ''}\n`,
      );
    };
    const fetchRun = async () =>
      JSON.parse((await call(hub, apiKey, 'GET', `/v1/certification/runs/${started.id}`)).text) as RunView;
    const mqttUrl = pick(values, flags.find((f) => f.name === 'mqtt') as FlagSpec, io.env)?.value;
    if (mqttUrl !== undefined) {
      if (!/^(mqtts?|wss?):\/\/[^\s]+$/.test(mqttUrl))
        throw new UsageError(`--mqtt must be an mqtt:// or ws:// URL, got '${mqttUrl}'`);
      io.stderr(`watching run ${started.id} over MQTT at ${mqttUrl}\n`);
      try {
        await watchOverMqtt({
          mqttUrl,
          apiKey,
          partnerId: started.partnerId,
          runId: started.id,
          decided: fetchRun,
          onCase: print,
          timeoutMs: 3_600_000,
        });
      } catch (err) {
        io.stderr(
          `watching over MQTT failed (${err instanceof Error ? err.message : String(err)}); polling REST\n`,
        );
      }
    }
    let run = started;
    // Watches the run case by case (the REST view lists every case decided so far); after MQTT,
    // one read gives the final counts.
    for (;;) {
      run = await fetchRun();
      for (const c of run.cases ?? []) print(c);
      if (run.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    io.stdout(
      `run ${run.id} ${run.state}: ${run.verdict ?? 'no verdict'}, ${run.passed}/${run.total} passed, firmware ${run.firmwareRevision ?? 'unknown'}\n`,
    );
    return run.verdict === 'pass' ? 0 : 1;
  }
  throw new UsageError(`unknown cert command '${sub}' (run, report, key, verify)`);
}

function budgetsOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--budgets must be a JSON object, got '${text}'`);
  }
}
