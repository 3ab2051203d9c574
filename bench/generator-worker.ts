import {
  asRequestEnvelope,
  type GeneratorOp,
  type GeneratorRequest,
  type GeneratorResults,
  type ResponseEnvelope,
} from './generator-protocol.js';
import { ClusterFleet } from './worker/cluster-fleet.js';
import { Fleet } from './worker/fleet.js';
import { RoundTrips } from './worker/roundtrip.js';
import { Sink } from './worker/sink.js';

/**
 * A generator process (forked by the bench): holds MQTT connections and runs what the parent
 * asks over IPC. It exits when the parent goes away, so a crashed bench leaves no generators.
 */

interface Roles {
  readonly fleet: Fleet;
  readonly sink: Sink;
  readonly rt: RoundTrips;
  readonly cluster: ClusterFleet;
}

async function handle(roles: Roles, request: GeneratorRequest): Promise<GeneratorResults[GeneratorOp]> {
  switch (request.op) {
    case 'connect':
      return roles.fleet.connect(
        request.endpoint,
        request.devices,
        request.localAddresses,
        request.window,
        request.attempts,
      );
    case 'storm':
      return roles.fleet.storm(request.window, request.attempts);
    case 'disconnectAll':
      return { closed: roles.fleet.disconnectAll() };
    case 'ingestStart':
      return { devices: roles.fleet.startIngest(request.window, request.ratePerSecond) };
    case 'ingestMark':
      return roles.fleet.ingestCounts();
    case 'ingestStop':
      return roles.fleet.stopIngest(request.drainMs);
    case 'sinkStart':
      return { granted: await roles.sink.start(request.endpoint, request.filter) };
    case 'sinkMark':
      return { received: roles.sink.received };
    case 'rtSetup':
      await roles.rt.setup(request.endpoint, request.parties, request.deviceEndpoint);
      return { ready: true };
    case 'rtRun':
      return roles.rt.run(
        request.did,
        request.idPrefix,
        request.warmup,
        request.count,
        request.timeLimitMs,
        request.replyTimeoutMs,
      );
    case 'cfConnect':
      return roles.cluster.connect(
        request.endpoints,
        request.devices,
        request.localAddresses,
        request.window,
        request.attempts,
        request.subscribe === true,
      );
    case 'cfHeal':
      return roles.cluster.heal(request.on);
    case 'cfStatus':
      return roles.cluster.status();
    case 'cfIngestStart':
      return { devices: roles.cluster.startIngest(request.devices, request.window, request.ratePerSecond) };
    case 'cfIngestStop':
      return roles.cluster.stopIngest(request.drainMs);
    case 'cfPerDevice':
      return roles.cluster.perDevice();
    case 'close':
      closeAll(roles);
      return { closed: true };
  }
}

function closeAll(roles: Roles): void {
  roles.fleet.disconnectAll();
  roles.sink.close();
  roles.rt.close();
  roles.cluster.close();
}

function main(): void {
  const ipc = process.send?.bind(process);
  // The parent may be gone by the time an answer is ready (it gave up waiting, or was stopped).
  const send = ipc && ((reply: ResponseEnvelope) => (process.connected ? ipc(reply) : false));
  if (send === undefined) {
    process.stderr.write('generator-worker must be started by the bench (child_process.fork)\n');
    process.exitCode = 2;
    return;
  }
  const roles: Roles = {
    fleet: new Fleet(),
    sink: new Sink(),
    rt: new RoundTrips(),
    cluster: new ClusterFleet(),
  };
  process.on('message', (message: unknown) => {
    const envelope = asRequestEnvelope(message);
    if (envelope === undefined) return;
    handle(roles, envelope.request).then(
      (result) => {
        const reply: ResponseEnvelope = { reqId: envelope.reqId, ok: true, result };
        send(reply);
        if (envelope.request.op === 'close') process.disconnect();
      },
      (error: unknown) => {
        const reply: ResponseEnvelope = {
          reqId: envelope.reqId,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        };
        send(reply);
      },
    );
  });
  // The parent is gone (finished, crashed or interrupted): drop everything and leave.
  process.on('disconnect', () => {
    closeAll(roles);
    setTimeout(() => process.exit(0), 100).unref();
  });
}

main();
