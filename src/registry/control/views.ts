import { HubError } from '../../errors.js';
import { type Page, type PageRequest, pageOfList } from '../../store/page.js';
import type { DeviceService } from '../devices/service.js';
import type { DeviceRow } from '../devices/store.js';
import type { ModelSpec } from '../spec/index.js';
import type { Control } from './index.js';
import type { BindingRole } from './store.js';

export interface Placement {
  readonly homeId: string;
  readonly homeName: string;
  readonly roomId: string | null;
  readonly roomName: string | null;
}

/** A device as its users see it: reported + pending desired + presence + versions, as in an AWS IoT shadow. */
export interface UserDeviceState {
  readonly id: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly role: BindingRole;
  readonly firmwareVersion: string | null;
  readonly presence: { readonly online: boolean; readonly lastSeenAt: string | null };
  readonly version: number;
  readonly reported: Record<string, { value: unknown; reportedAt: string }>;
  readonly desired: Record<string, { value: unknown; setAt: string }>;
  readonly placement: Placement | null;
}

export class UserDeviceViews {
  readonly #devices: DeviceService;
  readonly #control: Control;
  readonly #placements: (userId: string) => Promise<ReadonlyMap<string, Placement>>;

  constructor(
    devices: DeviceService,
    control: Control,
    placements: (userId: string) => Promise<ReadonlyMap<string, Placement>>,
  ) {
    this.#devices = devices;
    this.#control = control;
    this.#placements = placements;
  }

  /**
   * The device's row if the user may see it; NOT_FOUND otherwise (not bound looks like not there).
   * `since`: when its current owner claimed it; nothing stored before is shown to its users.
   */
  async visible(
    userId: string,
    deviceId: string,
  ): Promise<{ row: DeviceRow; role: BindingRole; since: number }> {
    const role = await this.#control.access.role(userId, deviceId);
    const row = role === undefined ? undefined : (await this.#devices.rows([deviceId]))[0];
    if (!row || role === undefined) throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    return { row, role, since: await this.#since(deviceId) };
  }

  /** A page of the user's devices by id; only the page's rows and shadows are read. */
  async list(userId: string, page: PageRequest): Promise<Page<UserDeviceState>> {
    const roles = await this.#control.access.devices(userId);
    const ids = pageOfList([...roles.keys()].sort(), page, (id) => [id]);
    const placements = await this.#placements(userId);
    const items = await Promise.all(
      (await this.#devices.rows(ids.items)).map((row) =>
        this.#state(row, roles.get(row.id) ?? 'member', placements.get(row.id) ?? null),
      ),
    );
    return { items, next: ids.next };
  }

  /** The model document of the device's model version: what its app card is generated from. */
  async model(
    userId: string,
    deviceId: string,
  ): Promise<{ modelId: string; version: number; document: ModelSpec }> {
    const { row } = await this.visible(userId, deviceId);
    const spec = await this.#devices.specOf(row.id);
    if (!spec) throw new HubError('NOT_FOUND', `the model of device ${deviceId} is not found`);
    return { modelId: row.model_id, version: row.model_version, document: spec.spec };
  }

  async state(userId: string, deviceId: string): Promise<UserDeviceState> {
    const { row, role } = await this.visible(userId, deviceId);
    return this.#state(row, role, (await this.#placements(userId)).get(deviceId) ?? null);
  }

  /** A device that has users has an owner; without one nothing is visible anyway. */
  async #since(deviceId: string): Promise<number> {
    return (await this.#control.bindings.ownerSince(deviceId)) ?? Number.MAX_SAFE_INTEGER;
  }

  async #state(row: DeviceRow, role: BindingRole, placement: Placement | null): Promise<UserDeviceState> {
    const shadow = await this.#devices.shadow(row);
    const since = await this.#since(row.id);
    const reported: UserDeviceState['reported'] = {};
    for (const [key, s] of Object.entries(shadow.reported)) {
      // Reported before the current owner claimed it: the previous owner's, not shown.
      if (Date.parse(s.reportedAt) < since) continue;
      reported[key] = { value: s.value, reportedAt: s.reportedAt };
    }
    return {
      id: row.id,
      modelId: row.model_id,
      modelVersion: row.model_version,
      role,
      firmwareVersion: row.firmware_version,
      presence: {
        online: this.#devices.isOnline(row.id),
        lastSeenAt:
          row.last_seen_at === null || row.last_seen_at < since
            ? null
            : new Date(row.last_seen_at).toISOString(),
      },
      version: shadow.version,
      reported,
      desired: await this.#control.desired.view(row.id),
      placement,
    };
  }
}
