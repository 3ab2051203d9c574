import type { Cleanup } from './cleanup.js';
import type { BenchConfig } from './config.js';
import type { LoopDelay } from './loop-delay.js';
import type { MosquittoBinary } from './mosquitto.js';

/** What every scenario gets from the entry point (no module-level state). */
export interface BenchContext {
  readonly root: string;
  readonly config: BenchConfig;
  readonly cleanup: Cleanup;
  /** dist/bench/generator-worker.js */
  readonly workerPath: string;
  readonly adminToken: string;
  readonly mosquitto: MosquittoBinary | undefined;
  /** Aborted on Ctrl-C: scenarios not started yet are skipped and no report is written. */
  readonly signal: AbortSignal;
  progress(line: string): void;
}

export type TargetName = 'ecohub' | 'mosquitto';

/** CPU over a measured interval, each as % of one core. */
export interface CpuFigures {
  /** The broker under test (hub or mosquitto). */
  readonly server: number;
  /** All generator processes involved. */
  readonly generators: number;
  /** Whole machine, % of all cores (includes other work on the box). */
  readonly box: number;
}

export interface ConnectRun {
  readonly devices: number;
  readonly connectPerSec: number;
  readonly rssBeforeKiB: number;
  readonly rssAfterKiB: number;
  readonly rssPerConnKiB: number;
  readonly stormSeconds: number;
  readonly failed: number;
  readonly stormFailed: number;
  readonly errors: string[];
  readonly cpu: CpuFigures;
  readonly stormCpu: CpuFigures;
  /** Hub only: its event-loop delay while the devices connected, and during the storm. */
  readonly loopDelay?: LoopDelay | undefined;
  readonly stormLoopDelay?: LoopDelay | undefined;
}

export interface IngestRun {
  /** Hub: PUBACKs (validated and persisted). Mosquitto: messages delivered to the subscriber. */
  readonly perSec: number;
  /** Publishes acknowledged by the broker per second (for mosquitto: before delivery). */
  readonly ackedPerSec: number;
  /** Hub only: from ecohub_reports_accepted_total{kind="props"}. */
  readonly acceptedPerSec?: number;
  /** Hub only: mean of ecohub_ingest_batch_size over the interval. */
  readonly batchMean?: number;
  readonly duplicates?: number;
  readonly rejected?: number;
  /** Hub only: mean of ecohub_ingest_latency_seconds (receipt to commit: what delays a PUBACK), ms. */
  readonly ingestLatencyMs?: number;
  /** Hub only: mean of ecohub_ingest_write_seconds (one group-commit transaction, the event loop blocked), ms. */
  readonly transactionMs?: number;
  /** Hub only: its event-loop delay over the interval. */
  readonly loopDelay?: LoopDelay | undefined;
  readonly cpu: CpuFigures;
}

/** Hub ingest metrics over an interval (from /metrics deltas). */
export interface IngestMetrics {
  readonly acceptedPerSec: number;
  readonly batchMean: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly ingestLatencyMs: number;
  readonly transactionMs: number;
  readonly loopDelay: LoopDelay | undefined;
}

export interface RoundTripRun {
  readonly count: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Reports per second acknowledged while the round trips ran (under load only). */
  readonly loadPerSec?: number;
  /** Hub under load: its ingest while the round trips ran. */
  readonly ingest?: IngestMetrics;
  /** Hub only: its event-loop delay while the round trips ran. */
  readonly loopDelay?: LoopDelay | undefined;
  readonly cpu: CpuFigures;
}

export interface TargetResults {
  connect: ConnectRun[];
  ingest: IngestRun[];
  rtIdle: RoundTripRun[];
  rtLoaded: RoundTripRun[];
}

export function emptyResults(): TargetResults {
  return { connect: [], ingest: [], rtIdle: [], rtLoaded: [] };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
