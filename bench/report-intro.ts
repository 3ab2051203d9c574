import type { BenchConfig } from './config.js';

/**
 * The hand-written part of docs/benchmarks.md: how the figures are made. It is regenerated with
 * the results so that the method and the numbers never disagree (edit it here, not in the doc).
 */
export function methodSection(config: BenchConfig): string {
  const c = config;
  return `# Benchmarks

This file is written by \`npm run bench\` (full) or \`npm run bench -- --quick\` (CI); edit the
method text in \`bench/report-intro.ts\`, not here. Build first (\`npm run build\`): the bench runs
from \`dist/bench/\`.

Several hub nodes as one (Redis + PostgreSQL, a node killed): \`npm run bench:cluster\`, in
[benchmarks-cluster.md](benchmarks-cluster.md).

## Method

- **The hub** runs as a child process exactly as deployed: \`node dist/src/cli/main.js serve --host
  127.0.0.1 --http-port 0 --mqtt-port 0 --data-dir <tmp>\` with \`ECOHUB_ADMIN_TOKEN\` set and
  \`--command-rate 100000\` (one phone sends every round trip; a phone's default limit is 20
  commands a second), other options default (log level \`info\`: MQTT connects are logged to a
  file, within the log budget per source of docs/operations.md), a fresh SQLite database.
  Ports come from its \`"hub listening"\` log line. It is set up only through its REST API: a
  partner applies and is approved, publishes \`examples/models/acme.light.bulb1.json\` under its
  slug (submit, certify, publish), provisions the devices in batches; a user registers, logs in
  and claims the round-trip device.
- **The reference** is mosquitto 2.0 started by the bench with a generated config: one listener on
  127.0.0.1, \`allow_anonymous true\`, \`persistence false\`, \`max_queued_messages 1000000\`,
  \`max_inflight_messages 0\` (the default of 20 unacknowledged messages towards the one
  subscriber lets 200 publishers be acknowledged ~10x faster than the subscriber is served, so the
  queue grows without bound: no steady state), \`set_tcp_nodelay true\` (the hub sets TCP_NODELAY
  too), everything else default. It does no authentication, validation or storage: it is the cost
  of plain MQTT routing on this machine.
- **Drops are resets**: a generator drops a connection with a TCP RST, as a device losing power
  looks to the server, and so that no TIME_WAIT entries pile up on the client side (tens of
  thousands of them make the kernel's search for a free source port cost milliseconds per connect,
  and the generator, not the server, would limit a reconnect storm).
- **Load generators** are separate processes (\`child_process.fork\`) speaking MQTT over raw
  sockets with hand-encoded packets (\`bench/wire.ts\`, \`bench/client.ts\`), so that the generator
  is not the limit (MQTT.js saturates first). Each holds fewer than 15,000 sockets; client
  sockets are spread over source addresses 127.0.0.2.. so that ephemeral ports last through a
  reconnect storm. Their CPU is reported next to the server's (utime + stime from
  \`/proc/PID/stat\` over the measured interval, as % of one core), and so is the whole box's, so
  that a reader can tell which side was the limit.
- **Event-loop delay** of the hub is read for every measured interval from two \`/metrics\`
  snapshots (the deltas of the \`ecohub_event_loop_delay_seconds\` histogram: a timer due every
  10 ms inside the hub, each sample how late it fired, which is how long a packet, a PUBACK or a
  phone's command waited behind other work). The target is p99 <= 5 ms under full ingest.
- **Repetition**: every figure is the median of ${c.runs} runs, with the range (min–max) in
  parentheses. Hub and mosquitto runs alternate, so that other work on the machine affects both.

| scenario | ${c.mode} mode |
| --- | --- |
| (a) connect | ${c.connect.devices.toLocaleString('en-US')} devices at once, ${c.connect.window} connects in flight per generator, ${c.connect.freshHubPerRun ? 'a fresh server per run' : 'one hub for all runs (quick mode: later runs reuse heap, so the memory figure is indicative only)'}; RSS per connection = (VmRSS after - VmRSS before) / N, where after is the lowest VmRSS over ${c.connect.settleMs / 1000} s once every device is online (V8 collects the connect burst's garbage when idle)${c.connect.idleBeforeMs > 0 ? ` and before is read after ${c.connect.idleBeforeMs / 1000} s of idle following the setup` : ''}. Reconnect storm: every socket dropped at once (RST, no DISCONNECT), then all reconnect; timed until the last CONNACK. |
| (b) ingest | ${c.ingest.devices} devices, each with ${c.ingest.window} QoS 1 reports in flight (\`{"seq", "props": {"light.brightness": n}}\`), ${c.ingest.warmupMs / 1000} s warm-up, ${c.ingest.durationMs / 1000} s measured. Hub: PUBACKs per second (a PUBACK is sent only after the report is validated and committed), cross-checked with \`ecohub_reports_accepted_total\`; batch size = mean of \`ecohub_ingest_batch_size\`. Mosquitto: QoS 1 fan-in relay of the same publishes to one subscriber on \`dev/+/props\` (QoS 1), counted at the subscriber. |
| (c) round trip | phone -> server -> device -> server -> phone, QoS 1 both ways, one command in flight: \`{"id","did","op":"set","props":{"light.on":...}}\`, the device answers \`{id, status:"ok", data:{}}\`. ${c.roundTrip.count.toLocaleString('en-US')} round trips per run after ${c.roundTrip.warmup} unrecorded ones (at most ${c.roundTrip.timeLimitMs / 1000} s). Hub: \`app/{uid}/cmd\` -> \`dev/{did}/cmd\` -> \`dev/{did}/replies\` -> \`app/{uid}/replies\`, with binding and spec checks. Mosquitto: the phone publishes to the device's topic and the device answers on the phone's. Under load: the (b) devices report at ${c.roundTrip.loadTargetPerSec.toLocaleString('en-US')}/s, or at ${Math.round(c.roundTrip.loadFraction * 100)}% of the hub's measured full-speed ingest when that is lower (the same rate for mosquitto). |
| (d) flash sale | ${c.flash.buyers.toLocaleString('en-US')} registered buyers on a first-come sale of ${c.flash.cap.toLocaleString('en-US')} units, all buying at the opening over HTTP (${c.flash.inFlight} in flight), ${c.flash.runs} run(s), a fresh hub each; the same number of requests to a bare fastify route as the ceiling; the sale checked in the database after the burst (section (d) below). |
| ratios | ecohub / mosquitto (or the fastify route), from the medians of the same bench run. |

Percentiles are nearest-rank over one run's samples (\`bench/stats.ts\`); the p99.9 of
${c.roundTrip.count.toLocaleString('en-US')} samples has ${Math.floor(c.roundTrip.count / 1000)} samples above it.
`;
}
