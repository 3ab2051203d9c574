import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import type { Identity } from '../../identity/identity.js';
import { hashSecret, newSecret, secretMatches } from '../../identity/secrets.js';
import type { Engine } from '../../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../../store/page.js';
import type { ConnectRefusal } from '../broker-policy.js';
import type { RegistryBus } from '../events.js';
import type { CompiledSpec } from '../spec/index.js';
import type { SpecCache } from '../spec-cache.js';
import { DEVICE_ID_PATTERN } from './credentials.js';
import type { DeviceDirectory } from './directory.js';
import { PresenceWriter } from './presence-writer.js';
import { batchView, provisionBatch } from './provisioning.js';
import * as store from './store.js';

export interface DeviceServiceOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly bus: RegistryBus;
  readonly specs: SpecCache;
  /** The device credential cache (CONNECT, command routing). */
  readonly directory: DeviceDirectory;
  readonly now: () => number;
  /**
   * Cluster mode: other nodes hold devices online too, so a starting node must not mark every
   * device offline; a dead node's devices are released by the cluster's sweep (`ownerLost`).
   */
  readonly sharedPresence?: boolean;
  /** Cluster mode: whether the device is connected to another node (answered in memory). */
  readonly onlineElsewhere?: (deviceId: string) => boolean;
}

export type DeviceAuth =
  | { readonly ok: true; readonly deviceId: string; readonly spec: CompiledSpec }
  | { readonly ok: false; readonly refusal: ConnectRefusal; readonly reason: string };

export interface DeviceView {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly batchId: string;
  readonly blocked: boolean;
  readonly createdAt: string;
  readonly firmwareVersion: string | null;
  readonly presence: {
    readonly online: boolean;
    readonly lastSeenAt: string | null;
    readonly connectedAt: string | null;
    readonly connectionCount: number;
  };
}

export interface ShadowView {
  readonly version: number;
  readonly reported: Record<string, { value: unknown; reportedAt: string; version: number }>;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function deviceView(row: store.DeviceRow): DeviceView {
  return {
    id: row.id,
    partnerId: row.partner_id,
    modelId: row.model_id,
    modelVersion: row.model_version,
    batchId: row.batch_id,
    blocked: row.blocked,
    createdAt: new Date(row.created_at).toISOString(),
    firmwareVersion: row.firmware_version,
    presence: {
      online: row.online,
      lastSeenAt: iso(row.last_seen_at),
      connectedAt: iso(row.connected_at),
      connectionCount: row.connection_count,
    },
  };
}

/** Devices: provisioning, MQTT identity, presence, blocking, secrets. Deny by default for REST callers. */
export class DeviceService {
  readonly #o: DeviceServiceOptions;
  readonly #db: Engine;
  /**
   * Live sessions per device on this node. Normally one (a takeover ends the old session before the
   * new one starts), but a session can end after its successor started; presence changes only when
   * the first session starts and the last one ends, so it never shows a connected device offline.
   */
  readonly #online = new Map<string, number>();
  readonly #presence: PresenceWriter;

  constructor(options: DeviceServiceOptions) {
    this.#o = options;
    this.#db = options.store;
    this.#presence = new PresenceWriter({
      store: options.store,
      log: options.log,
      sharedDatabase: options.sharedPresence === true,
    });
  }

  /** Marks every device offline (no session survives a restart); call once before serving. */
  async start(): Promise<void> {
    // Cluster mode: other nodes hold devices online; a dead node's devices are released by the
    // cluster's sweep (`ownerLost`), never by a starting node.
    if (this.#o.sharedPresence) return;
    const stale = await store.markAllOffline(this.#db);
    if (stale > 0) this.#o.log.info({ devices: stale }, 'marked devices offline after restart');
  }

  get onlineCount(): number {
    return this.#online.size;
  }

  /** Connected to this hub (in cluster mode: to any node). */
  isOnline(deviceId: string): boolean {
    return this.#online.has(deviceId) || (this.#o.onlineElsewhere?.(deviceId) ?? false);
  }

  /** Connected to this node (the one a command published here reaches without a route). */
  isLocal(deviceId: string): boolean {
    return this.#online.has(deviceId);
  }

  /** The compiled spec of the device's model version (from memory once the device was seen). */
  async specOf(deviceId: string): Promise<CompiledSpec | undefined> {
    if (!DEVICE_ID_PATTERN.test(deviceId)) return undefined;
    const facts = await this.#o.directory.get(deviceId);
    return facts ? await this.#o.specs.get(facts.modelId, facts.modelVersion) : undefined;
  }

  /** Rows of the given devices, in the order given (for users' views, after their access was checked). */
  async rows(deviceIds: readonly string[]): Promise<store.DeviceRow[]> {
    await this.#presence.flush(); // reads see every presence change announced so far
    const rows = new Map((await store.findDevices(this.#db, deviceIds)).map((r) => [r.id, r]));
    return deviceIds.map((id) => rows.get(id)).filter((r): r is store.DeviceRow => r !== undefined);
  }

  provision(
    partnerId: string,
    input: { modelId: string; version: number; size: number; label?: string | undefined },
  ) {
    return provisionBatch({ ...this.#o, db: this.#db }, { partnerId, ...input });
  }

  /** CONNECT of a device: from the credential cache, the database only for a device not seen lately. */
  async authenticate(clientId: string, username: string, password: Buffer): Promise<DeviceAuth> {
    if (!DEVICE_ID_PATTERN.test(username))
      return { ok: false, refusal: 'bad-credentials', reason: 'unknown username' };
    const facts = await this.#o.directory.get(username);
    if (!facts || !secretMatches(password.toString('utf8'), facts.secretHash)) {
      return { ok: false, refusal: 'bad-credentials', reason: 'unknown device or wrong secret' };
    }
    if (clientId !== username) {
      return { ok: false, refusal: 'identifier-rejected', reason: 'clientId must equal the device id' };
    }
    if (facts.blocked) return { ok: false, refusal: 'not-authorized', reason: 'device is blocked' };
    const spec = await this.#o.specs.get(facts.modelId, facts.modelVersion);
    if (!spec) return { ok: false, refusal: 'not-authorized', reason: 'device model version is unavailable' };
    return { ok: true, deviceId: facts.id, spec };
  }

  /** A session of the device started (CONNACK sent). Call `disconnected` exactly once for each. */
  connected(deviceId: string): void {
    const sessions = (this.#online.get(deviceId) ?? 0) + 1;
    this.#online.set(deviceId, sessions);
    if (sessions > 1) return;
    const at = this.#o.now();
    this.#presence.queue({ deviceId, online: true, at });
    this.#o.bus.emit('presence', { deviceId, online: true, at });
  }

  disconnected(deviceId: string): void {
    const sessions = this.#online.get(deviceId);
    if (sessions === undefined) return;
    if (sessions > 1) {
      this.#online.set(deviceId, sessions - 1);
      return;
    }
    this.#online.delete(deviceId);
    const at = this.#o.now();
    this.#presence.queue({ deviceId, online: false, at });
    this.#o.bus.emit('presence', { deviceId, online: false, at });
  }

  /** Cluster mode: the node holding this device died; unless it is connected here, it is offline now. */
  ownerLost(deviceId: string): void {
    if (this.#online.has(deviceId)) return;
    const at = this.#o.now();
    this.#presence.queue({ deviceId, online: false, at });
    this.#o.bus.emit('presence', { deviceId, online: false, at, swept: true });
  }

  /** Writes the presence changes still queued (the hub calls it on close, before the database closes). */
  close(): Promise<void> {
    return this.#presence.close();
  }

  /** The device row if `caller` may see it (operator: all; partner: its own); else NOT_FOUND. */
  async visible(caller: Identity, deviceId: string): Promise<store.DeviceRow> {
    await this.#presence.flush(); // reads see every presence change announced so far
    const row = DEVICE_ID_PATTERN.test(deviceId) ? await store.findDevice(this.#db, deviceId) : undefined;
    if (
      !row ||
      (caller.kind === 'partner' && row.partner_id !== caller.partnerId) ||
      caller.kind === 'user'
    ) {
      throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    }
    return row;
  }

  async detail(caller: Identity, deviceId: string): Promise<DeviceView & { shadow: ShadowView }> {
    const row = await this.visible(caller, deviceId);
    return { ...deviceView(row), shadow: await this.shadow(row) };
  }

  async shadow(row: store.DeviceRow): Promise<ShadowView> {
    const reported: ShadowView['reported'] = {};
    for (const s of await store.readShadow(this.#db, row.id)) {
      reported[s.property] = {
        value: JSON.parse(s.value),
        reportedAt: new Date(s.reported_at).toISOString(),
        version: s.version,
      };
    }
    return { version: row.shadow_version, reported };
  }

  /** The device's last reported values as stored: property -> JSON text. */
  async reportedJson(deviceId: string): Promise<ReadonlyMap<string, string>> {
    return new Map((await store.readShadow(this.#db, deviceId)).map((s) => [s.property, s.value]));
  }

  /** Devices by id, filtered (a partner sees its own). */
  async list(
    caller: Identity,
    filter: Omit<store.DeviceFilter, 'partnerId' | 'after' | 'limit'> & { partnerId?: string | undefined },
    page: PageRequest,
  ): Promise<Page<DeviceView>> {
    await this.#presence.flush(); // reads see every presence change announced so far
    const partnerId = caller.kind === 'partner' ? caller.partnerId : filter.partnerId;
    const after = page.after?.[0];
    const rows = await store.listDevices(this.#db, {
      ...filter,
      partnerId,
      after: after === undefined ? undefined : String(after),
      limit: page.limit + 1,
    });
    return pageOf(rows, page.limit, (r) => [r.id], deviceView);
  }

  /** Provisioning batches, newest first (a partner sees its own). */
  async batches(caller: Identity, page: PageRequest) {
    const partnerId = caller.kind === 'partner' ? caller.partnerId : undefined;
    return pageOf(
      await store.listBatches(this.#db, partnerId, page),
      page.limit,
      (r) => [r.created_at, r.id],
      batchView,
    );
  }

  async batch(caller: Identity, batchId: string) {
    const row = await store.findBatch(this.#db, batchId);
    if (!row || (caller.kind === 'partner' && row.partner_id !== caller.partnerId)) {
      throw new HubError('NOT_FOUND', `batch ${batchId} not found`);
    }
    return batchView(row);
  }

  async setBlocked(caller: Identity, deviceId: string, blocked: boolean): Promise<DeviceView> {
    const row = await this.visible(caller, deviceId);
    await this.#db.transaction((tx) => store.setBlocked(tx, row.id, blocked));
    // This process drops it at once; the notification reaches the others (and this one) at COMMIT.
    this.#o.directory.forget(row.id);
    this.#o.log.info({ deviceId, blocked, by: caller.kind }, blocked ? 'device blocked' : 'device unblocked');
    if (blocked) this.#o.bus.emit('revoke', { deviceId, reason: 'blocked' });
    return deviceView({ ...row, blocked });
  }

  /**
   * A firmware update made the device implement another version of its model's spec (the firmware
   * domain checked the version is published and an add-only superset). Reports and commands are
   * checked against it from now on.
   */
  async setModelVersion(deviceId: string, version: number): Promise<void> {
    const changed = await this.#db.transaction((tx) => store.setModelVersion(tx, deviceId, version), {
      durable: true,
    });
    this.#o.directory.forget(deviceId);
    if (changed) this.#o.log.info({ deviceId, modelVersion: version }, 'device spec version changed');
  }

  /** Issues a new secret (shown once); the old one stops working and a connected device is disconnected. */
  async rotateSecret(caller: Identity, deviceId: string): Promise<{ id: string; secret: string }> {
    const row = await this.visible(caller, deviceId);
    const secret = newSecret(24);
    const hash = hashSecret(secret);
    await this.#db.transaction((tx) => store.setSecretHash(tx, row.id, hash));
    this.#o.directory.forget(row.id);
    this.#o.log.info({ deviceId, by: caller.kind }, 'device secret rotated');
    this.#o.bus.emit('revoke', { deviceId, reason: 'secret rotated' });
    return { id: row.id, secret };
  }
}
