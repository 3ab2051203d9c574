import type { Logger } from 'pino';
import type { Limits } from '../../limits.js';
import type { Db } from '../../store/database.js';
import type { RegistryBus } from '../events.js';
import type { CompiledSpec } from '../spec/index.js';
import { AccessIndex } from './access-index.js';
import { BindingService, type SalesChannel } from './bindings.js';
import { type CommandLimits, CommandService, type CommandTransport } from './commands.js';
import { DesiredState } from './desired.js';
import { UserDesired } from './user-desired.js';

export interface ControlOptions {
  readonly db: Db;
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
}

/** The phone side of the registry: who may control which device, and the command path. */
export function createControl(o: ControlOptions): Control {
  const access = new AccessIndex(o.db, o.bus);
  const desired = new DesiredState(o.db, o.now);
  const bindings = new BindingService({
    db: o.db,
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
  const commands = new CommandService({
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
  });
  o.bus.on('reported', ({ deviceId, props }) => desired.reported(deviceId, props));
  // Unbinding, removal, a revoked share or a left home: what those users left desired goes with it.
  o.bus.on('access', ({ userIds }) => desired.accessChanged(userIds));
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
      o.reportedOf(deviceId).then(
        (reported) => commands.sendDesired(deviceId, desired.delta(deviceId, reported)),
        (err: unknown) => o.log.error({ err, deviceId }, 'reading the reported state failed'),
      );
    },
  };
}
