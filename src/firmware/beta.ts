import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine } from '../store/engine.js';
import { haltReason } from './health.js';
import type { PackageService } from './packages.js';
import type { RolloutPolicy, RolloutPolicyInput } from './policy.js';
import type { RolloutService } from './rollouts.js';
import { compareVersions } from './semver.js';
import * as beta from './store-beta.js';
import * as tally from './store-execution-figures.js';
import * as executions from './store-executions.js';
import * as fleet from './store-fleet.js';
import * as packages from './store-packages.js';
import * as rollouts from './store-rollouts.js';
import { type ReleaseTesting, releaseTesting, userTesting } from './testing.js';
import type { PackageView } from './views.js';

/** A release moved to a channel (the community moves its linked posts and tells their voters). */
export type ReleaseListener = (packageId: string, channel: 'beta' | 'stable') => Promise<void>;

/** The hub itself, creating a beta rollout for a device that joined beta after the release. */
const HUB: Identity = { kind: 'operator', tokenId: 'beta-channel' };

export interface BetaServiceOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly packages: PackageService;
  readonly rollouts: RolloutService;
  readonly defaultSoakMs: number;
}

/**
 * The beta channel: owners opt devices in; a release goes to them first and is promoted to stable
 * only after its soak time, with its beta rollouts' field health inside their thresholds.
 */
export class BetaService {
  readonly #o: BetaServiceOptions;
  readonly #listeners: ReleaseListener[] = [];

  constructor(options: BetaServiceOptions) {
    this.#o = options;
  }

  /**
   * Calls `listener` each time a release enters beta or is promoted to stable, after the change is
   * stored and before the partner's request is answered. A listener's failure is logged, never
   * undoes the release; the community catches up at its next start (docs/community.md).
   */
  onRelease(listener: ReleaseListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  async #announce(packageId: string, channel: 'beta' | 'stable'): Promise<void> {
    for (const listener of this.#listeners) {
      try {
        await listener(packageId, channel);
      } catch (err) {
        this.#o.log.error({ err, packageId, channel }, 'a release listener failed');
      }
    }
  }

  /** The device if the caller is its owner (opting in and out is the owner's choice). */
  async #owned(caller: Identity, deviceId: string): Promise<fleet.FleetDevice & { ownerId: string }> {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'only the device owner opts it into beta');
    const device = await fleet.device(this.#o.store, deviceId);
    const owner = device ? await fleet.ownerOf(this.#o.store, deviceId) : undefined;
    if (!device || owner !== caller.userId) throw new HubError('NOT_FOUND', 'device not found');
    return { ...device, ownerId: owner };
  }

  /**
   * Opts the device into beta. When its model has a release on beta that the device does not run
   * yet, the device joins that release's beta rollout (or a new one, for the soak time left), so a
   * tester gets the build under test at once. `rolloutId` names that rollout.
   */
  async optIn(
    caller: Identity,
    deviceId: string,
  ): Promise<{ deviceId: string; beta: boolean; rolloutId: string | null }> {
    const device = await this.#owned(caller, deviceId);
    await beta.enrol(this.#o.store, device.id, device.ownerId, this.#o.now());
    this.#o.log.info({ deviceId }, 'device opted into beta');
    return { deviceId, beta: true, rolloutId: await this.#joinCurrentBeta(device) };
  }

  async #joinCurrentBeta(device: fleet.FleetDevice): Promise<string | null> {
    const pkg = await packages.currentBeta(this.#o.store, device.model_id);
    if (pkg === undefined || device.blocked) return null;
    if (device.firmware_version !== null && compareVersions(device.firmware_version, pkg.version) >= 0) {
      return null;
    }
    const live = await rollouts.listRollouts(
      this.#o.store,
      { packageId: pkg.id, states: ['scheduled', 'running', 'paused'] },
      { limit: 100 },
    );
    const current = live.find((r) => {
      const target = JSON.parse(r.target) as { kind: string; channel?: string };
      return target.kind === 'channel' && target.channel === 'beta';
    });
    if (current !== undefined && (await this.#o.rollouts.join(current.id, device.id))) return current.id;
    if ((await executions.busyDevices(this.#o.store, [device.id])).has(device.id)) return null;
    const soakLeft = Math.max(0, (pkg.beta_at ?? 0) + (pkg.beta_soak_ms ?? 0) - this.#o.now());
    const rollout = await this.#o.rollouts.create(HUB, {
      packageId: pkg.id,
      target: { kind: 'channel', channel: 'beta' },
      policy: { canary: 0, stages: [100], stageSoakMs: soakLeft },
    });
    return rollout.id;
  }

  async optOut(caller: Identity, deviceId: string): Promise<{ deviceId: string; beta: boolean }> {
    await this.#owned(caller, deviceId);
    await beta.leave(this.#o.store, deviceId);
    return { deviceId, beta: false };
  }

  /** How a release was tested on beta: devices, testers, device-hours (its partner, the operator). */
  async testing(caller: Identity, packageId: string): Promise<ReleaseTesting> {
    const pkg = await this.#o.packages.owned(caller, packageId);
    return releaseTesting(pkg, await beta.betaTestsOfPackage(this.#o.store, packageId), this.#o.now());
  }

  /** The releases a user tested with the devices it keeps on beta (its tester credit). */
  async testedBy(userId: string): Promise<ReleaseTesting[]> {
    return userTesting(await beta.betaTestsOfUser(this.#o.store, userId), this.#o.now());
  }

  /** Whether the device is in beta now: enrolled by the user who still owns it. */
  async enrolled(deviceId: string): Promise<boolean> {
    const row = await beta.enrolment(this.#o.store, deviceId);
    return row !== undefined && row.user_id === (await fleet.ownerOf(this.#o.store, deviceId));
  }

  /** Releases a ready package to the beta channel and starts its rollout to the beta devices. */
  async release(
    caller: Identity,
    packageId: string,
    input: { soakMs?: number | undefined; policy?: RolloutPolicyInput | undefined },
  ): Promise<{ package: PackageView; rolloutId: string | null }> {
    const pkg = await this.#o.packages.owned(caller, packageId);
    if (pkg.state !== 'ready') throw new HubError('INVALID_STATE', `package ${packageId} is ${pkg.state}`);
    const soak = input.soakMs ?? this.#o.defaultSoakMs;
    if (!(await packages.setChannel(this.#o.store, packageId, 'none', 'beta', this.#o.now(), soak))) {
      throw new HubError('INVALID_STATE', `release ${pkg.version} is on channel ${pkg.channel} already`);
    }
    let rolloutId: string | null = null;
    const betaDevices = await beta.betaDevicesOfModel(this.#o.store, pkg.model_id);
    if (betaDevices.length > 0) {
      const rollout = await this.#o.rollouts.create(caller, {
        packageId,
        target: { kind: 'channel', channel: 'beta' },
        // The rollout stays open (and watched) through the soak: promotion needs it completed.
        policy: { canary: 0, stages: [100], ...input.policy, stageSoakMs: soak },
      });
      rolloutId = rollout.id;
    }
    this.#o.log.info({ packageId, rolloutId, betaDevices: betaDevices.length }, 'release on beta');
    await this.#announce(packageId, 'beta');
    return { package: await this.#o.packages.get(caller, packageId), rolloutId };
  }

  /**
   * Promotes a beta release to stable: refused before the soak time is over, while a beta rollout
   * is still running, or when a beta rollout halted or its figures cross its thresholds now.
   */
  async promote(caller: Identity, packageId: string): Promise<PackageView> {
    const pkg = await this.#o.packages.owned(caller, packageId);
    if (pkg.channel !== 'beta' || pkg.beta_at === null) {
      throw new HubError('INVALID_STATE', `release ${pkg.version} is on channel ${pkg.channel}, not beta`);
    }
    const now = this.#o.now();
    const soakEnds = pkg.beta_at + (pkg.beta_soak_ms ?? 0);
    if (now < soakEnds) {
      throw new HubError('INVALID_STATE', `the beta soak ends at ${new Date(soakEnds).toISOString()}`);
    }
    const list = await rollouts.listRollouts(this.#o.store, { packageId }, { limit: 1000 });
    for (const r of list) {
      const target = JSON.parse(r.target) as { kind: string; channel?: string };
      if (target.kind !== 'channel' || target.channel !== 'beta' || r.state === 'cancelled') continue;
      if (r.state === 'running' || r.state === 'scheduled') {
        throw new HubError('INVALID_STATE', `beta rollout ${r.id} is still ${r.state}`);
      }
      if (r.halt_reason !== null) {
        throw new HubError('INVALID_STATE', `beta rollout ${r.id} halted: ${r.halt_reason}`);
      }
      const policy = JSON.parse(r.policy) as RolloutPolicy;
      const counts = await tally.countRollout(this.#o.store, r.id, now);
      const health = await tally.healthFigures(this.#o.store, r.id, r.started_at ?? now, now);
      const reason = haltReason(policy, counts, health);
      if (reason !== undefined) throw new HubError('INVALID_STATE', `beta field health: ${reason}`);
    }
    const needed = Math.max(
      0,
      ...list
        .filter((r) => r.state !== 'cancelled' && r.target.includes('"channel":"beta"'))
        .map((r) => (JSON.parse(r.policy) as Partial<RolloutPolicy>).minTestedDeviceHours ?? 0),
    );
    if (needed > 0) {
      const tested = releaseTesting(pkg, await beta.betaTestsOfPackage(this.#o.store, packageId), now);
      if (tested.deviceHours < needed) {
        throw new HubError(
          'INVALID_STATE',
          `beta testing: ${tested.deviceHours} tested device-hours on ${tested.keptDevices} devices, ${needed} needed to promote`,
        );
      }
    }
    if (!(await packages.setChannel(this.#o.store, packageId, 'beta', 'stable', now))) {
      throw new HubError('INVALID_STATE', 'the release left beta meanwhile');
    }
    this.#o.log.info({ packageId }, 'release promoted to stable');
    await this.#announce(packageId, 'stable');
    return this.#o.packages.get(caller, packageId);
  }
}
