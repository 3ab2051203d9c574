import { type Static, Type } from '@sinclair/typebox';

const Percent = (description: string) => Type.Number({ minimum: 0, maximum: 100, description });
const Ms = (description: string, minimum = 1000) =>
  Type.Integer({ minimum, maximum: 30 * 24 * 3600_000, description });

/**
 * How a rollout widens and when it stops itself (docs/ota.md, "Rollouts"). Every field is optional;
 * defaults below. Stages are cumulative percentages of the target devices after the canary.
 */
export const RolloutPolicySchema = Type.Object(
  {
    canary: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'devices in stage 0' })),
    stages: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100 }), {
        minItems: 1,
        maxItems: 10,
        description: 'cumulative percentages after the canary, increasing, ending at 100',
      }),
    ),
    promotion: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('manual')])),
    /** A finished stage is promoted when at least this share of it succeeded (hawkBit's success threshold). */
    promoteAtSuccessPercent: Type.Optional(Percent('success share a finished stage needs to be promoted')),
    /** Time a finished stage is watched in the field before the next one starts. */
    stageSoakMs: Type.Optional(Ms('field soak of a finished stage before promotion', 0)),
    baseRatePerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** Beta rollouts: the release may be promoted to stable only after this many tested device-hours. */
    minTestedDeviceHours: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 10_000_000,
        description:
          'beta only: device-hours on the release (devices kept on beta, online) needed to promote it',
      }),
    ),
    /** Exponential ramp (AWS IoT Jobs): the rate is multiplied by this each `rampEverySucceeded` successes. */
    rampFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 5 })),
    rampEverySucceeded: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    maxRatePerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    abort: Type.Optional(
      Type.Object(
        {
          failurePercent: Type.Optional(Percent('halt when failed + timed out + rejected exceed this share')),
          minFinished: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    health: Type.Optional(
      Type.Object(
        {
          /** An updated device that goes offline within this is counted as "offline after update". */
          offlineWindowMs: Type.Optional(Ms('window after an update in which going offline counts')),
          maxOfflinePercent: Type.Optional(Percent('halt when more updated devices than this went offline')),
          /** Halt when updated devices emit error events this many times as often as the others. */
          errorRateFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 1000 })),
          minErrorEvents: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          /** Health is judged once this many devices are updated. */
          minUpdated: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          /** Event names (`service.event`) or name fragments that count as errors. */
          errorEvents: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 129 }), { minItems: 1, maxItems: 50 }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    timeouts: Type.Optional(
      Type.Object(
        {
          /** An offered device must start (report progress) within this. */
          offerMs: Type.Optional(Ms('deadline to start after the offer')),
          /** Longest silence between two progress reports. */
          progressMs: Type.Optional(Ms('deadline between progress reports')),
          /** Longest whole update, from the offer to coming back on the new version. */
          inProgressMs: Type.Optional(Ms('deadline for the whole update')),
        },
        { additionalProperties: false },
      ),
    ),
    retries: Type.Optional(
      Type.Object(
        {
          max: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
          backoffMs: Type.Optional(Ms('first retry delay, doubled each time', 0)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type RolloutPolicyInput = Static<typeof RolloutPolicySchema>;

export interface RolloutPolicy {
  readonly canary: number;
  readonly stages: number[];
  readonly promotion: 'auto' | 'manual';
  readonly promoteAtSuccessPercent: number;
  readonly stageSoakMs: number;
  readonly minTestedDeviceHours: number;
  readonly baseRatePerMinute: number;
  readonly rampFactor: number;
  readonly rampEverySucceeded: number;
  readonly maxRatePerMinute: number;
  readonly abort: { readonly failurePercent: number; readonly minFinished: number };
  readonly health: {
    readonly offlineWindowMs: number;
    readonly maxOfflinePercent: number;
    readonly errorRateFactor: number;
    readonly minErrorEvents: number;
    readonly minUpdated: number;
    readonly errorEvents: string[];
  };
  readonly timeouts: { readonly offerMs: number; readonly progressMs: number; readonly inProgressMs: number };
  readonly retries: { readonly max: number; readonly backoffMs: number };
}

/** Mender's canary then 5% -> 25% -> 50% -> 100%, AWS IoT Jobs' ramp and abort, hawkBit's thresholds. */
export const DEFAULT_POLICY: RolloutPolicy = {
  canary: 10,
  stages: [5, 25, 50, 100],
  promotion: 'auto',
  promoteAtSuccessPercent: 95,
  stageSoakMs: 10 * 60_000,
  minTestedDeviceHours: 0,
  baseRatePerMinute: 60,
  rampFactor: 2,
  rampEverySucceeded: 50,
  maxRatePerMinute: 1000,
  abort: { failurePercent: 5, minFinished: 20 },
  health: {
    offlineWindowMs: 15 * 60_000,
    maxOfflinePercent: 10,
    errorRateFactor: 3,
    minErrorEvents: 5,
    minUpdated: 10,
    errorEvents: ['error', 'fault'],
  },
  timeouts: { offerMs: 60 * 60_000, progressMs: 10 * 60_000, inProgressMs: 2 * 3600_000 },
  retries: { max: 2, backoffMs: 60_000 },
};

/** The policy with defaults filled in, or the first problem as [path, message]. */
export function resolvePolicy(
  input: RolloutPolicyInput = {},
  defaults: Partial<RolloutPolicy['timeouts']> = {},
): RolloutPolicy | [string, string] {
  const d = { ...DEFAULT_POLICY, timeouts: { ...DEFAULT_POLICY.timeouts, ...defaults } };
  const stages = input.stages ?? d.stages;
  for (let i = 1; i < stages.length; i++) {
    if ((stages[i] ?? 0) <= (stages[i - 1] ?? 0))
      return [`/policy/stages/${i}`, 'must be above the previous stage'];
  }
  if (stages.at(-1) !== 100) return [`/policy/stages/${stages.length - 1}`, 'the last stage must be 100'];
  const policy: RolloutPolicy = {
    canary: input.canary ?? d.canary,
    stages,
    promotion: input.promotion ?? d.promotion,
    promoteAtSuccessPercent: input.promoteAtSuccessPercent ?? d.promoteAtSuccessPercent,
    stageSoakMs: input.stageSoakMs ?? d.stageSoakMs,
    minTestedDeviceHours: input.minTestedDeviceHours ?? d.minTestedDeviceHours,
    baseRatePerMinute: input.baseRatePerMinute ?? d.baseRatePerMinute,
    rampFactor: input.rampFactor ?? d.rampFactor,
    rampEverySucceeded: input.rampEverySucceeded ?? d.rampEverySucceeded,
    maxRatePerMinute: input.maxRatePerMinute ?? d.maxRatePerMinute,
    abort: { ...d.abort, ...input.abort },
    health: { ...d.health, ...input.health },
    timeouts: { ...d.timeouts, ...input.timeouts },
    retries: { ...d.retries, ...input.retries },
  };
  if (policy.maxRatePerMinute < policy.baseRatePerMinute) {
    return ['/policy/maxRatePerMinute', 'must be at least baseRatePerMinute'];
  }
  return policy;
}

/** Cumulative number of devices in stages 0..stage of a rollout over `total` devices. */
export function stageCapacity(policy: RolloutPolicy, total: number, stage: number): number {
  const canary = Math.min(policy.canary, total);
  if (stage === 0) return canary;
  const pct = policy.stages[Math.min(stage, policy.stages.length) - 1] ?? 100;
  return Math.max(canary, Math.min(total, Math.ceil((total * pct) / 100)));
}

/** Index of the last stage (the canary is 0). */
export function lastStage(policy: RolloutPolicy): number {
  return policy.stages.length;
}

/** Offers allowed per minute once `succeeded` devices are updated: the exponential ramp. */
export function currentRate(policy: RolloutPolicy, succeeded: number): number {
  const steps = Math.floor(succeeded / policy.rampEverySucceeded);
  return Math.min(policy.maxRatePerMinute, Math.floor(policy.baseRatePerMinute * policy.rampFactor ** steps));
}
