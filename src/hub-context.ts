import type { Logger } from 'pino';
import type { HubOptions } from './config.js';
import type { RegistryBus } from './registry/events.js';
import type { Engine } from './store/engine.js';

/**
 * What the composition root (src/hub.ts) hands every domain's wiring (`src/<domain>/wiring.ts`):
 * the hub's options, logger, store and event bus, its MQTT outlet and its stop list. Not the other
 * domains: a wiring names the services it needs beside these.
 */
export interface HubContext {
  readonly options: HubOptions;
  /** The hub's root logger: a wiring gives each module it builds a child of its own. */
  readonly log: Logger;
  readonly store: Engine;
  readonly bus: RegistryBus;
  /** Publishes JSON on an MQTT topic at QoS 1 through the hub's broker (goes nowhere before it exists). */
  readonly publishJson: (topic: string, body: unknown) => void;
  /** The hub's stop list: what a wiring starts stops with the hub, in reverse order. */
  readonly started: Array<() => Promise<void> | void>;
}
