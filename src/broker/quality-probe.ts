import type { MqttBroker } from './broker.js';

/** What the probe reports to (the quality recorder, src/certification/quality/recorder.ts). */
export interface CommandSink {
  command(
    deviceId: string,
    outcome:
      | { ok: true; latencyMs: number }
      | { ok: false; code: string; latencyMs: number }
      | { timeout: true },
  ): void;
}

/** Commands waiting for their reply, per device and in all; older ones are counted as timed out. */
const MAX_PER_DEVICE = 64;
const MAX_TOTAL = 100_000;
/** Ids of certification runs' commands (sent raw and invalid on purpose): not field data. */
const HARNESS_PREFIX = 'cert-';

function idOf(payload: Buffer | string): { id: string; body: Record<string, unknown> } | undefined {
  try {
    const body = JSON.parse(payload.toString()) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const id = (body as Record<string, unknown>)['id'];
    return typeof id === 'string' && !id.startsWith(HARNESS_PREFIX)
      ? { id, body: body as Record<string, unknown> }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Watches commands the hub publishes on `dev/{did}/cmd` and the devices' answers on
 * `dev/{did}/replies`: each command's outcome (ok, error code, no reply within `timeoutMs`) and reply
 * latency, for the quality scorecards. Bounded; one JSON parse per command and per reply.
 */
export function watchCommandQuality(broker: MqttBroker, sink: CommandSink, timeoutMs: number): () => void {
  const pending = new Map<string, Map<string, number>>();
  let total = 0;
  const { aedes } = broker;
  const onPublish = (packet: { topic: string; payload: Buffer | string }, client: { id: string } | null) => {
    const { topic } = packet;
    if (!topic.startsWith('dev/')) return;
    const slash = topic.indexOf('/', 4);
    if (slash < 0) return;
    const deviceId = topic.slice(4, slash);
    const sub = topic.slice(slash + 1);
    if (sub === 'cmd' && !client) {
      // Only this node's devices: in a cluster, another node sees the device's reply.
      if (!broker.hasClient(deviceId)) return;
      const parsed = idOf(packet.payload);
      if (parsed === undefined || total >= MAX_TOTAL) return;
      let mine = pending.get(deviceId);
      if (mine === undefined) {
        mine = new Map();
        pending.set(deviceId, mine);
      }
      if (mine.size >= MAX_PER_DEVICE || mine.has(parsed.id)) return;
      mine.set(parsed.id, Date.now());
      total++;
    } else if (sub === 'replies' && client?.id === deviceId) {
      const mine = pending.get(deviceId);
      if (mine === undefined) return;
      const parsed = idOf(packet.payload);
      const sentAt = parsed === undefined ? undefined : mine.get(parsed.id);
      if (parsed === undefined || sentAt === undefined) return;
      mine.delete(parsed.id);
      total--;
      if (mine.size === 0) pending.delete(deviceId);
      const latencyMs = Date.now() - sentAt;
      const error = parsed.body['error'];
      const code =
        typeof error === 'object' && error !== null ? (error as Record<string, unknown>)['code'] : undefined;
      if (parsed.body['status'] === 'ok') sink.command(deviceId, { ok: true, latencyMs });
      else
        sink.command(deviceId, { ok: false, code: typeof code === 'string' ? code : 'UNKNOWN', latencyMs });
    }
  };
  aedes.on('publish', onPublish);
  const sweep = setInterval(() => {
    const cutoff = Date.now() - timeoutMs;
    for (const [deviceId, mine] of pending) {
      for (const [id, sentAt] of mine) {
        if (sentAt > cutoff) continue;
        mine.delete(id);
        total--;
        sink.command(deviceId, { timeout: true });
      }
      if (mine.size === 0) pending.delete(deviceId);
    }
  }, 1000);
  sweep.unref();
  return () => {
    clearInterval(sweep);
    aedes.off('publish', onPublish);
  };
}
