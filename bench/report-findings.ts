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
socket buffers are not in RSS. Not done yet: the parser's retained CONNECT packet (which also
keeps a device secret in memory for the connection's life); the per-client closures and the
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
it, no second cache here. Left: an asynchronous log destination for connect lines, and aedes'
per-connect pipeline (needs a change in aedes, or a persistence that answers an empty clean session
without a stream).
`;
}
