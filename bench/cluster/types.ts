import type { Cleanup } from '../cleanup.js';
import type { ClusterBenchConfig } from './config.js';
import type { WindowResult } from './measure.js';

export interface ClusterBenchEnv {
  readonly root: string;
  readonly config: ClusterBenchConfig;
  readonly cleanup: Cleanup;
  /** dist/bench/generator-worker.js */
  readonly workerPath: string;
  readonly adminToken: string;
  readonly signal: AbortSignal;
  progress(line: string): void;
}

export interface LatencyFigures {
  readonly count: number;
  readonly errors: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface IngestFigures {
  readonly devices: number;
  /** PUBACKs per second: each a report validated and committed to PostgreSQL. */
  readonly perSec: number;
  readonly window: WindowResult;
}

export interface StormFigures {
  readonly killedNode: string;
  readonly restartedAs: string;
  readonly devicesOnKilled: number;
  /** Seconds after the SIGKILL. */
  readonly restartedReadyS: number;
  readonly sweptS: number | undefined;
  readonly devicesSwept: number;
  readonly allOnlineS: number | undefined;
  readonly presenceWholeS: number | undefined;
  readonly databaseWholeS: number | undefined;
  readonly connectedAfter: number;
  /** Connected devices per node (in node order, the restarted one last) once whole again. */
  readonly perNodeAfter: number[];
  readonly failedAttempts: number;
  readonly reconnected: number;
  /** [seconds after kill, devices connected], sampled. */
  readonly timeline: Array<[number, number]>;
  readonly window: WindowResult;
}

export interface IntegrityFigures {
  readonly sent: number;
  readonly acked: number;
  readonly rows: number;
  /** Acknowledged reports of a device beyond the rows stored for it (must be 0). */
  readonly ackedMissing: number;
  /** Rows beyond what the device sent (duplicates; must be 0). */
  readonly duplicates: number;
  /** Stored but never acknowledged (in flight when the node died): allowed. */
  readonly storedUnacked: number;
  readonly onlineInDatabase: number;
  readonly onlineInRedis: number;
  readonly presenceOnKilledNode: number;
  readonly connected: number;
}

export interface ClusterResults {
  readonly redisVersion: string;
  readonly postgresVersion: string;
  readonly nodeStartS: number[];
  readonly provisionS: number;
  readonly baseline: {
    readonly ingest: IngestFigures | undefined;
    readonly roundTrip: LatencyFigures | undefined;
  };
  readonly connect:
    | {
        readonly devices: number;
        readonly connected: number;
        readonly seconds: number;
        readonly perNode: number[];
        readonly rssMiB: number[];
        readonly window: WindowResult;
      }
    | undefined;
  readonly clusterIngest: IngestFigures | undefined;
  readonly roundTripSameNode: LatencyFigures | undefined;
  readonly roundTripAcross: LatencyFigures | undefined;
  readonly steady:
    | {
        readonly reportsPerSec: number;
        readonly roundTripAcross: LatencyFigures | undefined;
        readonly window: WindowResult;
      }
    | undefined;
  readonly storm: StormFigures | undefined;
  readonly integrity: IntegrityFigures | undefined;
  readonly errors: string[];
}
