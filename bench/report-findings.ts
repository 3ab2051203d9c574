/**
 * The hand-written findings of issue 12 (profiles and the memory breakdown), kept with the
 * generated report so that a bench run does not erase them. Figures here come from the runs and
 * commands named in the text, not from the run below them; update them when the code changes.
 */
export function findingsSection(): string {
  return `## Findings (issue 12): where the connect path and the memory go

### Memory per idle connection

Measured with a heap snapshot diff: a hub in-process (\`node --expose-gc\`), 3,000 devices
connected by one bench generator, GC forced before each snapshot, self sizes summed per V8
constructor (2026-11-29, loaded box). Heap: 12.2 KB per connection, of which (after the removal
in the first row: 9.8 KB):

| what | bytes per connection | needed? |
| --- | --- | --- |
| mqtt-packet's number cache: 65,536 two-byte Buffers built at the first MQTT write, about 7 MB once | 2,100 at 3,000 devices; 360 at 19,500 | no: removed (the broker sets \`writeToStream.cacheNumbers = false\`: one small allocation per packet id written instead; a one-time cost, but the bench counted it per connection because it appeared between "before" and "after") |
| node's socket: \`Socket\`, two \`WritableState\`/\`ReadableState\`, \`TCPSocketWrap\`, \`TCP\`, bound listeners | about 1,800 | yes (one TCP connection) |
| aedes' client: \`Client\` (288), its MQTT \`Parser\` (112, holding the CONNECT packet as \`settings\`, password Buffer included, for the life of the connection), \`BufferListStream\`, two \`Packet\`s, ~14 per-client closures (\`deliverQoS\`, \`checked*\`, \`nextBatch\`...) and their contexts | about 2,200 | mostly (the CONNECT packet and the closures per client are aedes' design; a fork could share them) |
| property and element stores, plain objects, arrays, strings (client id, topic filter, session) | about 3,900 | partly |
| the hub's own per-session objects (session, connect notes, granted-filter set, connection record, the watched-topics count of \`dev/{did}/cmd\`) | about 300 | yes |
| code objects created per client | about 570 | no (aedes creates closures per client) |

RSS per connection in the bench (15–16 KiB) exceeds the heap figure: the rest is native
(libuv handles, the socket's C++ wrapper, malloc arenas) and V8's page-level overhead. Kernel
socket buffers are not in RSS. The parser's retained CONNECT packet (which also kept a device
secret in memory for the connection's life) is dropped since the third round below; the per-client closures and the
socket's stream objects are aedes' and node's design, and the bulk of what remains.

### Connect path (reconnect storm)

\`--cpu-prof\` of a hub connecting 4,000 devices then taking their reconnect storm (in-process
profile around the two phases, sampling every 200 µs; busy 48 s, idle 6 s on a loaded box):

| where | % of busy | what |
| --- | --- | --- |
| garbage collector | 10.5 | per-connection objects above, and the per-connect streams below |
| \`writeString\` | 9.6 | pino writing the info line of every MQTT connect synchronously (one \`write(2)\` per line) |
| \`writev\` | 9.4 | CONNACKs (and SUBACKs), one syscall each: the socket is corked per packet |
| \`DOMException\`, \`createAbortSignal\`, \`pipelineImpl\`, \`eos\` | about 5 | aedes' \`emptyQueue\` step builds a \`stream.pipeline\` over the persistence's outgoing stream on every connect, clean sessions included; node 20's pipeline aborts an \`AbortController\` at the end, which builds a \`DOMException\` with a stack trace |
| \`findDevice\` + better-sqlite3 \`transaction\` | 2.6 | the device row read per CONNECT, and the presence writes (batched per loop turn) |
| \`Qlobber\` | 0.7 | subscribe of \`dev/{did}/cmd\`; hub publishes of presence no longer route when unwatched (retained store only) |

Done: presence is routed only when watched and written once per change; shadow and notify are
not built for devices nobody watches. The device credential cache is the registry's
\`DeviceDirectory\` (an LRU of device facts invalidated by \`device_changed\` notifications, on main
with the registry's move to the async store, after this profile was taken): the connect path uses
it, no second cache here: on CONNECT the database is read only for a device the directory does
not hold (once per device after a restart), and presence is written behind, batched per I/O round.
Connect lines (done since): the hub's log goes to stdout asynchronously (\`pino.destination\` with
\`sync: false\`, flushed at exit), and accepted-connect lines are bounded across all clients to 50 a
second plus one line counting the rest (\`src/log-budget.ts\`; refusals keep their per-source bound).
Left: aedes' per-connect pipeline (needs a change in aedes, or a persistence that answers an empty
clean session without a stream), and the presence transaction, which still runs on the event loop.

### Ingest: the writes off the event loop

Before: the group commit ran on the event loop, four statements per report (claim the seq in
\`device_reports\`, bump the device's version, insert the history point, upsert the shadow): 76–85 ms
per ~1,900-report batch in the full run above, during which no packet, PUBACK or phone command was
served (better-sqlite3 and the telemetry store: 62% of the busy time in the profile above).

Now (\`src/registry/telemetry/writer.ts\`, \`batch-plan.ts\`, \`seq-marks.ts\`, \`src/store/sqlite-batch-thread.ts\`):

- **The SQLite transaction runs on a thread of its own** (\`node:worker_threads\`) with its own
  better-sqlite3 connection to the same file (WAL, \`synchronous=NORMAL\`, \`busy_timeout\` 5 s, waited
  on that thread). The event loop works the batch out in memory and sends its statements (text and
  parameters); the thread runs them in one \`BEGIN IMMEDIATE\` ... \`COMMIT\` and answers; only then
  are the reports' PUBACKs sent, so acked still means committed
  (\`test/integration/crash-durability.test.ts\`, kill -9 during QoS 1 ingest). A batch that meets
  the busy timeout (another process holding the lock) is retried, not failed.
- **The event loop never waits on SQLite's lock for the thread.** While the thread commits, the
  writer holds the engine's write queue (\`SqliteEngine.exclusive\`): the engine's other writes
  (presence, tokens, firmware...) wait their turn in that queue, asynchronously, instead of in
  SQLite's busy handler, which sleeps on the calling thread. \`test/integration/ingest-event-loop.test.ts\`
  holds the write lock from another connection while 2,000 reports wait: phones are answered, no
  report is acknowledged, and the longest event-loop stall stays under 1 s; on the previous writer
  the same test stalls the loop 5.9 s (the whole busy timeout). Not covered: the legacy synchronous
  connection of homes and control (a \`set\` command's desired state) still writes from the loop and
  would sleep in the busy handler for up to one thread transaction; its move onto the engine (in
  progress) removes it.
- **Fewer writes per report.** Deduplication keeps per device a high-water mark (\`devices.seq_high\`)
  and \`seq_recent\` (a bit mask of the 1,024 numbers below it, and the last 32 seqs stored further
  below), checked in memory; shadow versions are counted in memory; both go to the database with the
  batch, one multi-row \`UPDATE devices ... FROM (VALUES ...)\` per 250 devices. A batch is that
  update, one multi-row insert into \`telemetry\`, one multi-row upsert of \`device_shadow\` and one
  insert into \`device_events\` (per 250 rows each), whatever the number of reports; \`device_reports\`
  (a row per message, pruned daily) is gone, its rows turned into marks by migration 0380. On SQLite
  the devices' states stay in the writer's memory (an LRU of 100,000 devices, read back on a miss):
  this process is the file's one writer. On PostgreSQL, and in cluster mode, each batch reads and
  locks (\`FOR UPDATE\`) its devices' rows inside its transaction, then writes the same statements.
- **At most 1,000 reports per batch on the thread**: planning a batch (JSON, building the
  statements, copying them to the thread) is the event loop's share, and grows with the batch.

Measured by driving the writer directly (200 devices, each batch submitted at once, medians of 10
rounds, on the shared box at load average ~15 on 2 cores, 2026-11-30):

| reports per batch | one transaction on the event loop | one transaction on the thread | longest event-loop stall meanwhile (submitting included) |
| --- | --- | --- | --- |
| 500 | 74 ms (the loop is blocked for all of it) | 20 ms | 10 ms |
| 2,000 | 240 ms | 81 ms | 30 ms |

Quick bench (\`npm run bench -- --quick\`) before and after, on the same saturated box (every figure
there is bounded by the CPU the hub got, 20–25% of a core): the ingest transaction went from 56.5
to 7.6 ms mean, the command round trip p99 under load from 199 to 104 ms, the event-loop p99 under
full ingest from 300 to 200 ms. The full bench on a quiet machine decides the targets.

### Profiles of the measured workload only (2026-11-30)

A hub's profile covers its whole life; in quick mode start-up (ajv and fast-json-stringify compiling
the routes' schemas: 25% and 13% of the busy time) drowned the workload. \`bench/profile.ts\` now
keeps the samples taken between the workload's start and end (\`monotonicUs()\`, the clock V8's
profile uses), and (b) and (c) get a profile each. \`npm run bench -- --quick --only a --profile\`
(200 devices, the box at load ~14):

- **(a) connect + storm** (busy 2.9 s, idle 0.6 s): \`writev\` 9.4% (CONNACK and SUBACK, one syscall
  each per client), GC 6.1%, better-sqlite3 \`exec\` + the engine's \`#all\` 7.7% (presence
  transactions and the device read on a directory miss), \`close\` 3.0%, aedes 7.2%, the hub's
  broker 6.2%, \`defaultPrepareStackTrace\` 1.9% (the per-connect \`stream.pipeline\` abort above),
  the quality recorder's \`#add\` 1.6% per connect.
- **(c) round trips under load** (busy 3.0 s, idle 0.25 s: saturated): \`writev\` 19.9% (PUBACKs are
  already coalesced per client per batch: mqtt-packet corks until the next tick and a batch's
  acknowledgements are written in one microtask run), \`postMessage\` 8.9% (statements to the writer
  thread), report parsing (\`parseReport\`, \`parseJson\`, \`admit\`) 7.6%, the watched-topic
  enumeration (\`#held\`, twice per report) 3.9% plus \`Qlobber._match\` 2.5%.

Changed: a topic's "watched" answer is kept until a filter appears or disappears (never stale;
\`src/broker/watchers.ts\`), which removes the enumeration from the per-report path. Measured with
\`--only b,c\` three runs before and after on the same box: every figure moved within the noise (the
box at 100% CPU, the hub getting 35–75% of a core; loaded round trips completed 74–395 in the 2 s
window), so no ratio can be claimed from them. What stands between the hub and the unmet targets is
in the profiles: in (c) the loop is busy 92% of the time with ~2,600 reports/s, and its p99 follows
the loop delay (70–100 ms): the per-report JavaScript (parse, validate, plan, copy to the thread)
and a syscall per client per batch, which mosquitto does in C at a fraction of the CPU.

### Command round trip and answering ingest (2026-11-30, second round)

\`--profile\` now also profiles the idle round trips (2,000 after (b), on the profiled hub; the
section's title gives the hub's busy time per round trip, inflated by the profiler and by the
box's load). \`npm run bench -- --quick --only c --profile\`, the box at load 11–17 on 2 cores,
before this round:

- **(c) idle** (841 round trips, busy 1,461 ms): \`writev\` 29.6% (the four packets of a round
  trip, one syscall each: PUBACK to the phone, command to the device, PUBACK to the device, reply
  to the phone; mosquitto writes the same four), better-sqlite3 \`exec\` 9.4% and the engine's
  \`#run\` 1.9% (a \`set\`'s desired-state transaction), \`randomFillSync\` 3.1% (a CSPRNG call
  per command id), the id memory's \`canonical\` + \`commandFingerprint\` + \`Hash\` 4.4%, the
  quality recorder's \`dayOf\` 1.9% (\`toISOString\` three times per command), the quality
  probe's \`onPublish\` 1.0% (it parses the command and the reply again).
- **(b) and (c) loaded**: \`postMessage\` 4–10% (statements to the writer thread), firmware's
  \`reported\` 2.0–2.3% (two promises per stored report, with or without a firmware revision),
  \`#announce\` 2.2%, \`parseJson\` 2.2%.

Changed:

- **A set goes to the device while its desired values are stored, not after the commit**
  (\`src/registry/control/commands.ts\`). Under load that commit waits for the ingest batch on the
  writer thread (the engine's queue is held meanwhile: 1.4 ms mean in the quick run); now it
  overlaps the device's round trip. The phone's answer still waits for both, so "ok" and "queued"
  mean stored; a report or refusal that comes back before the commit waits for it and still finds
  the values (\`DesiredState\` chains them per device; \`test/store/desired-ordering.test.ts\`).
  If that write fails the phone gets INTERNAL while the device may have applied the command.
- Command ids come from a pool of random bytes (512 ids per CSPRNG call); the quality recorder
  keeps the UTC day it last counted in.
- The firmware and desired-state listeners return at once for a report without a firmware
  revision / a device without desired values (no promise per report).
- **A committed batch is answered 128 reports per event-loop turn** (\`IngestWriter#answer\`, in
  commit order; \`test/store/ingest-answer-slices.test.ts\`): releasing a batch's PUBACKs (each
  routed by aedes) and announcing its reports was one synchronous run of up to 1,000 items
  (229 mean at full ingest in the quick run), which a phone's command and the loop-delay timer
  waited behind.

Measured: \`--only c --profile\` interleaved before/after the first change (A, B, A, B): idle p50
1.12, 0.64, 0.53 and 1.18, 0.83, 0.51 ms before; 1.39, 0.64, 0.76 and 1.36, 0.81, 0.72 ms after;
mosquitto 0.16–0.35 ms in the same runs. Loaded p50 7.4, 13.0, 7.6 and 23.6, 1.9, 5.7 ms before;
0.64, 13.9, 8.0 and 24.1, 8.5, 5.5 ms after, with the hub managing 3,600–9,000 of the 10,000
reports/s asked: the noise is larger than any difference, no ratio is claimed. In the profile
after the first three changes \`randomFillSync\` and \`dayOf\` are gone from the top functions;
\`exec\` (the desired write, kept by design) is 5.1%; \`writev\` 42% on the busier box.

What stands between the hub and each unmet target:

- **Idle round trip p99 <= 1.5x**: mosquitto's p50 (0.11 ms) is about the cost of the four
  loopback writes; the hub's 0.37 ms adds, on one thread, parsing and validating the command,
  binding and spec checks, the id memory (canonical JSON and a SHA-256), a SQLite transaction per
  \`set\` (desired state: what makes an offline device get the value later), a timer, the reply's
  JSON, and the quality probe's two parses. Next: give the probe the parsed command and reply
  instead of the packets, a cheaper fingerprint.
- **Loaded round trip under 5 ms and <= 2x**: the command shares the one loop with 10,000
  reports/s at ~25 µs of JavaScript each (parse, validate, plan, copy to the thread, route,
  acknowledge, announce); the loop is busy 94–98% of the quick run, so the command waits for what
  is ahead of it in the turn. The phone's packets are read in the sockets' readiness order, not
  before the devices'; the desired write still waits for the ingest commit before the phone is
  answered (it could join the thread's transaction).
- **Event-loop p99 <= 5 ms under full ingest (6.0 ms)**: the largest synchronous runs were answering
  a committed batch (now sliced) and the poll phase reading 20 sockets with 16 reports in flight
  each (aedes parses and admits a socket's chunk in one callback); planning a batch of up to 1,000
  reports is a third.
- **Connect rate, reconnect storm, RSS per connection**: not worked on in this round; the
  connect-path and memory findings above still stand.

### Connect path, memory and idle round trip (2026-11-30, third round)

Measured on the shared box (load 10–14 on 2 cores, other engineers' test suites running), main
(59ac5ef) against this round, interleaved (A, B, A, B). Memory: \`node dist/bench/heap-per-connection.js
--devices 3000 [--root <main's checkout>]\` (the heap snapshot diff above, now a committed tool: a hub
child process as the bench runs it, 3,000 devices connected by one generator, a snapshot before
and after, self sizes per constructor). Connect path: \`npm run bench -- --quick --only a --profile\`
(200 devices, 3 runs per invocation). Round trips: \`npm run bench -- --quick --only c --profile\`.

Changed:

- **The CONNECT packet and the secret are dropped once authenticated** (\`forgetConnect\` in
  \`src/broker/connect.ts\`, called from \`src/broker/authentication.ts\`). mqtt-packet's parser kept
  the whole packet as its \`settings\` for the connection's life; it now keeps only the protocol
  version and bridge mode it parses later packets with, and the password's bytes are zeroed as soon
  as the policy has decided. \`test/integration/mqtt-connect-secrets.test.ts\` walks everything
  reachable from the aedes client after CONNACK (own properties, arrays, Map and Set entries, byte
  views): on main it finds \`._parser.settings.password\` for a device's secret and for a phone's
  token; now nothing.
- **A client with nothing queued gets an empty list, not a Readable** (\`QueueBounds\` in
  \`src/broker/bounded-persistence.ts\`). aedes' \`emptyQueue\` step still builds a \`stream.pipeline\`
  per connect: it cannot be skipped without changing aedes (it is the last entry of the
  module-private \`connectActions\` list and calls the \`stream\` module's \`pipeline\` itself, which in
  node 20 always creates and aborts an \`AbortController\`, hence the \`DOMException\`). Its source is
  now an empty array (pipeline takes any iterable) instead of \`Readable.from\` over a copy of the
  empty queue. The queue count rises before a message is stored and falls after it is cleared, so
  zero means empty; a client with something queued gets the stream as before.
- **Presence commits on the SQLite writer thread** (\`src/registry/devices/presence-writer.ts\`):
  recorded on the loop, committed on the thread the ingest writer uses (now the engine's,
  \`SqliteEngine.writerThread\`, started with the hub so that its ~10 MiB are part of the baseline,
  closed with the engine). While a batch commits, the next one waits and takes every change queued
  meanwhile. \`flush()\` resolves after the commit: reads see every presence change announced so far.
  PostgreSQL and cluster mode keep one engine transaction.
- **The quality recorder gets each command's outcome from the command service** (\`CommandOutcomes\`,
  \`src/registry/control/commands.ts\`), which holds the parsed reply and the pending command; the
  broker probe that parsed every command and reply a second time is gone. A device that disconnects
  before answering counts as a timeout at once (\`test/integration/scorecards.test.ts\`).
- **The id memory's fingerprint** builds its canonical JSON in one string and hashes it with
  \`crypto.hash\` (no entry arrays, no Hash object).
- \`src/broker/broker.ts\` (613 lines) split, no behaviour change: the authenticate hook and the
  cluster claim in \`authentication.ts\`, the publish/subscribe/forward hooks in \`authorization.ts\`.

Measured:

| figure | main | this round |
| --- | --- | --- |
| heap per connection, 3,000 devices (two runs each) | 9,598 and 9,723 bytes | 9,126 and 9,035 bytes |
| of which \`Buffer\` / \`ArrayBuffer\` / \`Packet\` (the CONNECT packet and its password) | 192 / 177 / 160 | 96 / 90 / 80 |
| (a) connects/s, median (range) of 12 runs | 162 (72–335) | 245 (56–700) before the presence coalescing; 175 (90–231) after it, 3 runs against main's 147 (50–170) in the same pair |
| (a) storm of 200 devices, s | 1.13 (0.78–2.63) | 0.98 (0.51–1.62); then 1.55 (1.29–2.04) against main's 1.65 (1.44–2.36) |
| (a) first run's RSS per connection (the writer thread starting inside the measured window) | 8–15 KiB | 53–61 KiB before the thread was started with the hub; 6 KiB after |
| (c) idle p50 / p99 (ms), median (range) of 6 runs | 0.90 (0.47–2.17) / 13.0 (3.3–27.2) | 0.67 (0.45–1.07) / 11.2 (7.2–22.1) |
| mosquitto in the same invocations | 809–2,497 connects/s; storm 0.04–0.52 s; idle p99 0.73–9.05 ms | same ranges |

The heap figure is a real 0.5–0.7 KB (5–7%) per connection. The connect, storm and round-trip
medians moved the right way but their ranges overlap almost entirely (the hub got 20–70% of a core):
the noise is larger than the differences, and no ratio is claimed from these quick runs.

Profiles (\`--profile\`, (a) after against main): \`Readable.from\` and \`isReadable\`
(the per-connect Readable, 1–3%) and better-sqlite3 \`exec\` + the engine's \`#run\` for presence
(3–7%) are gone from the top functions; \`postMessage\` appears at 4–10% (the presence statements to
the thread: fewer messages since the coalescing, but on this oversubscribed box the main thread's
time in \`postMessage\` includes waiting for the port while the writer thread is descheduled).
(c) idle: the probe's \`onPublish\`/\`idOf\` (1.9%) are gone, the fingerprint's \`Hash\` +
\`commandFingerprint\` (1.8%) became \`hash\` (1.1%).

What still stands in the way (top entries of the profiles and snapshots after this round):

- **RSS per idle connection <= 6 KiB** (17.2 KiB at 19,500 devices): the JavaScript heap alone is
  9.0 KB per connection: property and element stores ~1,200 bytes, V8 code and closure contexts
  ~1,200 (aedes' \`nextBatch\`, \`deliver0\`, \`deliverQoS\` and six bound functions per client,
  end-of-stream's \`onclose\`/\`onerror\`/\`onfinish\`/\`onend\`/\`cleanup\` per socket, and the hub's own
  seven conformance and size-guard closures per parser, 64 bytes each plus their context: shared
  functions would save ~0.5 KB, not done), node's socket (\`Socket\` 336, \`WritableState\` 400,
  \`ReadableState\` 200), plain objects ~650, aedes' \`Client\` 288; the rest of the RSS is native
  (libuv handle, the socket's wrapper, malloc arenas) and V8 pages. 6 KiB needs a per-connection
  client that is not aedes' and a socket that is not a node stream: another broker core, not a trim.
- **Connect rate >= 0.7x and storm <= 1.5x**: per connect the loop still makes a \`writev\` per
  CONNACK and per SUBACK (9–15% of the busy time, the largest entry), aedes' per-client setup
  (\`Client\`, parser, bound functions, end-of-stream listeners: \`_addListener\`/\`removeListener\`
  2–5%), aedes' \`emptyQueue\` pipeline (\`pipelineImpl\`, \`createAbortSignal\`, \`DOMException\`: 2–5%),
  the retained presence message (\`storeRetained\` 1–2%), \`onconnection\` and \`_getpeername\` (node's
  accept, 2–4%), the device read on a directory miss (\`#all\` 2–4%, once per device after a
  restart), and \`postMessage\` to the writer thread. mosquitto does the same accept and CONNACK in C
  without per-connect allocation of this kind.
- **Idle round trip p99 <= 1.5x**: \`writev\` is 34–44% of the busy time (the four packets of a
  round trip, one syscall each, as mosquitto), better-sqlite3 \`exec\` 8–11% (a \`set\`'s desired-state
  write, on the loop; it could join the writer thread's transactions, not done), then the command path's own
  JavaScript at ~1% each (\`#fromPhone\`, \`fromDevice\`, \`validateCommand\`, \`hash\`). The p99 itself
  follows the loop delay of the shared box (p99 10–60 ms in these runs), not the hub's work.

### Flash-sale opening (d)

Profile of the hub during a 10,000-buyer opening before this round (\`--cpu-prof\`, whole run):
better-sqlite3 \`exec\` 39% (each purchase's \`COMMIT\` with its fsync, on the event loop) and the
engine's \`#all\` 16% (the waitlist position: \`count(*)\` over everyone waiting ahead, quadratic over
9,000 places). Now durable transactions are group-committed (one fsync per I/O round,
\`src/store/sqlite-group-commit.ts\`) and the position is the place number less those ahead who
left. Same box, \`npm run bench:flash\` (10,000 buyers): 284 -> 400 answers/s; against the ceiling
0.06x -> 0.27x (the ceiling then was the hub's own \`/healthz\`, now a bare fastify route).
`;
}
