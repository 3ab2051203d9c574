import { CommunityWebApi } from './community.js';
import { num, record, str } from './decode.js';
import { FirmwareWebApi } from './firmware.js';
import { FlashWebApi } from './flash.js';
import type { Http } from './http.js';
import {
  type DeviceEvent,
  type DeviceState,
  type HistorySeries,
  type Home,
  type HomeDetail,
  type Placement,
  type Room,
  readDeviceEvent,
  readDeviceState,
  readHistory,
  readHome,
  readHomeDetail,
  readRoom,
  readSession,
  readShare,
  readUser,
  type Session,
  type Share,
  type User,
} from './types.js';

const enc = encodeURIComponent;

/** The user's side of the REST API (docs/protocol.md "REST mirror", docs/homes.md), typed. */
export class UserApi {
  readonly #http: Http;
  /** Owners' posts, votes and the inbox (docs/community.md). */
  readonly community: CommunityWebApi;
  /** Flash sales and pre-orders (docs/flash-sales.md). */
  readonly flash: FlashWebApi;
  /** Firmware of the user's devices and the beta channel (docs/ota.md). */
  readonly firmware: FirmwareWebApi;

  constructor(http: Http) {
    this.#http = http;
    this.community = new CommunityWebApi(http);
    this.flash = new FlashWebApi(http);
    this.firmware = new FirmwareWebApi(http);
  }

  async register(body: { email: string; password: string; displayName?: string }): Promise<User> {
    return readUser(await this.#http.post('/v1/auth/register', body));
  }

  async login(email: string, password: string): Promise<Session> {
    return readSession(await this.#http.post('/v1/auth/login', { email, password }));
  }

  async logout(): Promise<void> {
    await this.#http.post('/v1/auth/logout');
  }

  /** Deletes the account (confirmed with its password); answers the owned devices' fresh pairing codes. */
  async deleteAccount(password: string): Promise<Array<{ id: string; pairingCode: string }>> {
    const o = record(await this.#http.request('DELETE', '/v1/me', { password }));
    const devices = Array.isArray(o['devices']) ? o['devices'] : [];
    return devices.map((d, i) => {
      const r = record(d, `/devices/${i}`);
      return {
        id: str(r['id'], `/devices/${i}/id`),
        pairingCode: str(r['pairingCode'], `/devices/${i}/pairingCode`),
      };
    });
  }

  /** Withdraws a value waiting for an offline device (its desired state). */
  async clearDesired(deviceId: string, property: string): Promise<void> {
    await this.#http.delete(`/v1/me/devices/${enc(deviceId)}/desired/${enc(property)}`);
  }

  async me(): Promise<User> {
    return readUser(await this.#http.get('/v1/me'));
  }

  async devices(): Promise<DeviceState[]> {
    return (await this.#http.list('/v1/me/devices', 'devices')).map((d, i) =>
      readDeviceState(d, `/devices/${i}`),
    );
  }

  async device(deviceId: string): Promise<DeviceState> {
    return readDeviceState(await this.#http.get(`/v1/me/devices/${enc(deviceId)}`));
  }

  /** The model document of the device's model version: `{ modelId, version, document }`. */
  async deviceModel(deviceId: string): Promise<{ modelId: string; version: number; document: unknown }> {
    const o = record(await this.#http.get(`/v1/me/devices/${enc(deviceId)}/model`));
    return {
      modelId: str(o['modelId'], '/modelId'),
      version: num(o['version'], '/version'),
      document: o['document'],
    };
  }

  async events(deviceId: string, limit = 50): Promise<DeviceEvent[]> {
    const items = await this.#http.list(`/v1/me/devices/${enc(deviceId)}/events?limit=${limit}`, 'events');
    return items.map((e, i) => readDeviceEvent(e, `/events/${i}`));
  }

  async history(
    deviceId: string,
    property: string,
    fromMs: number,
    toMs: number,
    bucketMs?: number,
  ): Promise<HistorySeries> {
    const q = new URLSearchParams({
      property,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      limit: '10000',
    });
    if (bucketMs !== undefined) q.set('bucket', String(bucketMs));
    return readHistory(await this.#http.get(`/v1/me/devices/${enc(deviceId)}/history?${q.toString()}`));
  }

  async claim(deviceId: string, pairingCode: string): Promise<void> {
    await this.#http.post(`/v1/devices/${enc(deviceId)}/claim`, { pairingCode });
  }

  async shares(deviceId: string): Promise<Share[]> {
    return (await this.#http.list(`/v1/devices/${enc(deviceId)}/shares`, 'shares')).map((s, i) =>
      readShare(s, `/shares/${i}`),
    );
  }

  async share(deviceId: string, email: string): Promise<Share> {
    return readShare(await this.#http.post(`/v1/devices/${enc(deviceId)}/shares`, { email }));
  }

  /** Revokes a share (owner) or leaves a shared device (the member): by user id or by the email shared with. */
  async revokeShare(deviceId: string, member: string): Promise<void> {
    await this.#http.delete(`/v1/devices/${enc(deviceId)}/shares/${enc(member)}`);
  }

  /** Removes the device (owner): every user is unbound; answers the fresh pairing code. */
  async removeDevice(deviceId: string): Promise<string> {
    const o = record(await this.#http.delete(`/v1/devices/${enc(deviceId)}/binding`));
    return str(o['pairingCode'], '/pairingCode');
  }

  async homes(): Promise<Home[]> {
    return (await this.#http.list('/v1/homes', 'homes')).map((h, i) => readHome(h, `/homes/${i}`));
  }

  async home(homeId: string): Promise<HomeDetail> {
    return readHomeDetail(await this.#http.get(`/v1/homes/${enc(homeId)}`));
  }

  async createHome(name: string): Promise<Home> {
    return readHome(await this.#http.post('/v1/homes', { name }));
  }

  async renameHome(homeId: string, name: string): Promise<void> {
    await this.#http.patch(`/v1/homes/${enc(homeId)}`, { name });
  }

  async deleteHome(homeId: string): Promise<void> {
    await this.#http.delete(`/v1/homes/${enc(homeId)}`);
  }

  async addMember(homeId: string, email: string): Promise<void> {
    await this.#http.post(`/v1/homes/${enc(homeId)}/members`, { email });
  }

  async removeMember(homeId: string, userId: string): Promise<void> {
    await this.#http.delete(`/v1/homes/${enc(homeId)}/members/${enc(userId)}`);
  }

  async addRoom(homeId: string, name: string): Promise<Room> {
    return readRoom(await this.#http.post(`/v1/homes/${enc(homeId)}/rooms`, { name }));
  }

  async renameRoom(homeId: string, roomId: string, name: string): Promise<void> {
    await this.#http.patch(`/v1/homes/${enc(homeId)}/rooms/${enc(roomId)}`, { name });
  }

  async deleteRoom(homeId: string, roomId: string): Promise<void> {
    await this.#http.delete(`/v1/homes/${enc(homeId)}/rooms/${enc(roomId)}`);
  }

  async place(deviceId: string, homeId: string, roomId: string | null): Promise<Placement> {
    const o = record(
      await this.#http.put(
        `/v1/devices/${enc(deviceId)}/placement`,
        roomId === null ? { homeId } : { homeId, roomId },
      ),
    );
    return {
      homeId: str(o['homeId'], '/homeId'),
      homeName: str(o['homeName'], '/homeName'),
      roomId: typeof o['roomId'] === 'string' ? o['roomId'] : null,
      roomName: typeof o['roomName'] === 'string' ? o['roomName'] : null,
    };
  }

  async unplace(deviceId: string): Promise<void> {
    await this.#http.delete(`/v1/devices/${enc(deviceId)}/placement`);
  }
}
