import type { Logger } from 'pino';
import type { Limits } from '../../limits.js';
import type { Engine } from '../../store/engine.js';
import type { RegistryBus } from '../events.js';
import type { CompiledSpec } from '../spec/index.js';
import { AccessIndex } from './access-index.js';
import { BindingService, type SalesChannel } from './bindings.js';
import {
  type CommandLimits,
  type CommandOutcomes,
  CommandService,
  type CommandTransport,
} from './commands.js';
import { DesiredState } from './desired.js';
import { UserDesired } from './user-desired.js';

export interface ControlOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly bus: RegistryBus;
  readonly now: () => number;
  readonly specOf: (deviceId: string) => Promise<CompiledSpec | undefined>;
  readonly isOnline: (deviceId: string) => boolean;
  readonly transport: CommandTransport;
  readonly commandTimeoutMs: number;
  readonly commandLimits?: Partial<CommandLimits>;
  /** Where the command rate is counted (Redis in a cluster); this process by default. */
  readonly sharedLimits?: Limits;
  readonly sales?: SalesChannel;
  /** The device's last reported values, property -> stored JSON (for the desired-state delta). */
  readonly reportedOf: (deviceId: string) => Promise<ReadonlyMap<string, string>>;
  /** How commands sent to devices ended (the quality recorder). */
  readonly commandOutcomes?: CommandOutcomes;
}

export interface Control {
  readonly access: AccessIndex;
  readonly bindings: BindingService;
  readonly desired: DesiredState;
  /** Desired state as users read and clear it. */
  readonly userDesired: UserDesired;
  readonly commands: CommandService;
  /** The device subscribed to its command topic. */
  deviceListening(deviceId: string): void;
  /** Starts listening for changes other hub processes make; call before the broker accepts connections. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The phone side of the registry: who may control which device, and the command path. */
export function createControl(o: ControlOptions): Control {
  const access = new AccessIndex(o.store, o.bus);
  const desired = new DesiredState(o.store, o.now);
  const bindings = new BindingService({
    store: o.store,
    log: o.log.child({ part: 'bindings' }),
    bus: o.bus,
    access,
    now: o.now,
    ...(o.sales ? { sales: o.sales } : {}),
  });
  const userDesired = new UserDesired({
    access,
    desired,
    specOf: o.specOf,
    log: o.log.child({ part: 'desired' }),
  });
  // Deltas being sent to devices that just reconnected (one per device at most).
  const deltas = new Map<string, Promise<void>>();
  const commands = new CommandService({
    deltaInFlight: (deviceId) => deltas.get(deviceId),
    log: o.log.child({ part: 'commands' }),
    bus: o.bus,
    access,
    desired,
    userDesired,
    specOf: o.specOf,
    isOnline: o.isOnline,
    transport: o.transport,
    timeoutMs: o.commandTimeoutMs,
    now: o.now,
    ...(o.commandLimits ? { limits: o.commandLimits } : {}),
    ...(o.sharedLimits ? { sharedLimits: o.sharedLimits } : {}),
    ...(o.commandOutcomes ? { outcomes: o.commandOutcomes } : {}),
  });
  const failed = (what: string) => (err: unknown) => o.log.error({ err }, `${what} failed`);
  o.bus.on('reported', ({ deviceId, props }) => {
    if (!desired.has(deviceId)) return; // no promise per report of a device nobody set anything on
    desired.reported(deviceId, props).catch(failed('clearing reflected desired values'));
  });
  // Unbinding, removal, a revoked share or a left home: what those users left desired goes with it,
  // before the change is answered.
  access.onChanged((userIds) => desired.accessChanged(userIds));
  return {
    access,
    bindings,
    desired,
    userDesired,
    commands,
    deviceListening(deviceId: string) {
      // A device that reconnects receives the delta (desired values that differ from what it last
      // reported), once it listens for commands (sent on CONNACK instead, it could arrive before its
      // SUBSCRIBE and be lost). Nothing left: nothing is sent.
      if (!desired.has(deviceId)) return;
      // Users' commands wait until the delta is published (not answered): it goes out first.
      let published: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        published = resolve;
      });
      deltas.set(deviceId, gate);
      const release = () => {
        published();
        if (deltas.get(deviceId) === gate) deltas.delete(deviceId);
      };
      (async () => {
        const delta = await desired.delta(deviceId, await o.reportedOf(deviceId));
        const spec = Object.keys(delta).length > 0 ? await o.specOf(deviceId) : undefined;
        const { reply } = spec ? commands.sendDesired(deviceId, spec, delta) : { reply: undefined };
        release();
        await reply;
      })()
        .catch((err: unknown) => o.log.error({ err, deviceId }, 'sending the desired-state delta failed'))
        .finally(release);
    },
    async start() {
      await access.start(o.log.child({ part: 'access' }));
      await desired.start(o.log.child({ part: 'desired' }));
    },
    async close() {
      commands.close();
      await access.close();
      await desired.close();
    },
  };
}
