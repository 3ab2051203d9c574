import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EventLoopDelay } from './event-loop-delay.js';

/**
 * Event-loop delay buckets, seconds: dense up to 10 ms, where the target (p99 <= 5 ms) and the
 * 1 ms timer granularity live, so that percentiles read from bucket deltas stay close.
 */
export const LOOP_DELAY_BUCKETS = [
  0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075,
  0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5,
];

/**
 * The hub's Prometheus metrics, one registry per hub (tests run several hubs in one process).
 * Served at /metrics.
 */
export class HubMetrics {
  readonly registry = new Registry();
  readonly mqttConnections: Gauge;
  readonly devicesOnline: Gauge;
  readonly messagesIn: Counter<'topic'>;
  readonly messagesOut: Counter;
  readonly queueDropped: Counter;
  readonly reportsAccepted: Counter<'kind'>;
  readonly reportsDuplicate: Counter;
  readonly reportsRejected: Counter<'reason'>;
  readonly ingestBatchSize: Histogram;
  readonly ingestLatency: Histogram;
  readonly ingestWrite: Histogram;
  readonly eventLoopDelay: Histogram;
  /** Samples the event loop while started (the hub starts it at boot and stops it on close). */
  readonly loopDelay: EventLoopDelay;

  /** `devicesOnline` reads the live sessions: a gauge moved by events could drift from them. */
  constructor(connections: () => number, devicesOnline: () => number = () => 0) {
    const registers = [this.registry];
    this.mqttConnections = new Gauge({
      name: 'ecohub_mqtt_connections',
      help: 'Open MQTT connections (TCP and WebSocket)',
      registers,
      collect() {
        this.set(connections());
      },
    });
    this.devicesOnline = new Gauge({
      name: 'ecohub_devices_online',
      help: 'Devices connected now',
      registers,
      collect() {
        this.set(devicesOnline());
      },
    });
    this.messagesIn = new Counter({
      name: 'ecohub_mqtt_messages_received_total',
      help: 'PUBLISH packets received from clients, by topic kind',
      labelNames: ['topic'],
      registers,
    });
    this.messagesOut = new Counter({
      name: 'ecohub_mqtt_messages_delivered_total',
      help: 'Messages delivered to subscribers',
      registers,
    });
    this.queueDropped = new Counter({
      name: 'ecohub_mqtt_queue_dropped_total',
      help: 'QoS 1 messages not queued for a persistent session whose queue was full (--max-queued-messages)',
      registers,
    });
    this.reportsAccepted = new Counter({
      name: 'ecohub_reports_accepted_total',
      help: 'Device reports validated and stored, by kind (props, event)',
      labelNames: ['kind'],
      registers,
    });
    this.reportsDuplicate = new Counter({
      name: 'ecohub_reports_duplicate_total',
      help: 'Redelivered reports (same device sequence number), acknowledged and not stored again',
      registers,
    });
    this.reportsRejected = new Counter({
      name: 'ecohub_reports_rejected_total',
      help: 'Device reports rejected by validation, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.ingestBatchSize = new Histogram({
      name: 'ecohub_ingest_batch_size',
      help: 'Reports and events written per group-commit transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers,
    });
    this.ingestLatency = new Histogram({
      name: 'ecohub_ingest_latency_seconds',
      help: 'From receiving a report to its commit (what delays the PUBACK)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.ingestWrite = new Histogram({
      name: 'ecohub_ingest_write_seconds',
      help: 'Time spent in one ingest transaction (SQLite or PostgreSQL)',
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
      registers,
    });
    const eventLoopDelay = new Histogram({
      name: 'ecohub_event_loop_delay_seconds',
      help: 'How late a timer due every 10 ms fired: what any socket read, PUBACK or command waited behind other work',
      buckets: LOOP_DELAY_BUCKETS,
      registers,
    });
    this.eventLoopDelay = eventLoopDelay;
    const loopDelay = new EventLoopDelay({ observe: (seconds) => eventLoopDelay.observe(seconds) });
    this.loopDelay = loopDelay;
    for (const [name, pick, what] of [
      ['p50', (s: { p50: number }) => s.p50, 'median'],
      ['p99', (s: { p99: number }) => s.p99, '99th percentile'],
      ['max', (s: { max: number }) => s.max, 'maximum'],
    ] as const) {
      new Gauge({
        name: `ecohub_event_loop_delay_${name}_seconds`,
        help: `Event-loop delay, ${what} over the last minute (6,000 samples)`,
        registers,
        collect() {
          this.set(pick(loopDelay.summary()));
        },
      });
    }
  }
}
