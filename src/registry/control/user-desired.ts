import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import type { CompiledSpec } from '../spec/index.js';
import type { AccessIndex } from './access-index.js';
import { propertyKeys } from './command-validation.js';
import type { DesiredState, DesiredView } from './desired.js';

/**
 * Desired state as a device's users read and clear it (REST and the phone's `desired` and
 * `clear-desired` ops): every user who may control the device, NOT_FOUND for everyone else.
 */
export class UserDesired {
  readonly #access: AccessIndex;
  readonly #desired: DesiredState;
  readonly #specOf: (deviceId: string) => Promise<CompiledSpec | undefined>;
  readonly #log: Logger;

  constructor(o: {
    access: AccessIndex;
    desired: DesiredState;
    specOf: (deviceId: string) => Promise<CompiledSpec | undefined>;
    log: Logger;
  }) {
    this.#access = o.access;
    this.#desired = o.desired;
    this.#specOf = o.specOf;
    this.#log = o.log;
  }

  /** The device's desired values and refusals. */
  async read(userId: string, did: string): Promise<DesiredView> {
    await this.#specFor(userId, did);
    return this.#desired.fullView(did);
  }

  /** Clears desired values (all, or the given property refs: names or iids) and their refusals; returns what is left. */
  async clear(userId: string, did: string, refs?: readonly string[]): Promise<DesiredView> {
    const spec = await this.#specFor(userId, did);
    const keys = refs === undefined ? undefined : propertyKeys(spec, refs);
    await this.#desired.clear(did, keys);
    this.#log.info({ deviceId: did, userId, properties: keys ?? 'all' }, 'desired state cleared');
    return this.#desired.fullView(did);
  }

  async #specFor(userId: string, did: string): Promise<CompiledSpec> {
    const spec = (await this.#access.role(userId, did)) === undefined ? undefined : await this.#specOf(did);
    if (!spec) throw new HubError('NOT_FOUND', `device ${did} is not bound to you`);
    return spec;
  }
}
