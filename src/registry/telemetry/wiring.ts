import type { HubContext } from '../../hub-context.js';
import type { HubMetrics } from '../../metrics.js';
import { TelemetryService } from './service.js';
import { IngestWriter } from './writer.js';

/** What the hub hands telemetry beside its context: metrics, and where rejected reports are counted. */
export interface TelemetryWiring extends HubContext {
  readonly metrics: HubMetrics;
  /** Each rejected report or event (the quality scorecards); never waits. */
  readonly onRejected: (deviceId: string, reason: string) => void;
}

/** Devices' reports and events: validated by the telemetry service, stored in batches by the ingest writer. */
export function wireTelemetry(wiring: TelemetryWiring): TelemetryService {
  const { store, bus, log, options, metrics } = wiring;
  const writer = new IngestWriter({
    store,
    bus,
    log: log.child({ module: 'ingest' }),
    now: options.now,
    sharedDatabase: options.cluster !== undefined,
    observer: {
      batch(size, seconds) {
        metrics.ingestBatchSize.observe(size);
        metrics.ingestWrite.observe(seconds);
      },
    },
  });
  wiring.started.push(() => writer.close());
  return new TelemetryService({
    store,
    log: log.child({ module: 'telemetry' }),
    writer,
    metrics,
    now: options.now,
    onRejected: wiring.onRejected,
  });
}
