import type { IClientOptions, MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { defaultCatalog, type ModelSpec } from '../../src/registry/spec/index.js';
import { ADMIN_TOKEN, type HttpHub, newUser } from './hub.js';
import { exampleModel, publishModel } from './models.js';
import { connected } from './mqtt.js';
import { applicationBody, type OnboardedPartner } from './partners.js';

export interface ProvisionedDevice {
  readonly id: string;
  readonly secret: string;
  readonly pairingCode: string;
}

const ALL_CATEGORIES = [...defaultCatalog.categories.keys()];

/** An approved partner allowed every category of the catalog (so every example model). */
export async function onboardDeviceMaker(hub: HttpHub): Promise<OnboardedPartner> {
  const body = applicationBody({ categories: ALL_CATEGORIES });
  const applied = await hub.request('POST', '/v1/partner-applications', { body });
  expect(applied.status, applied.text).toBe(201);
  const approved = await hub.request(
    'POST',
    `/v1/partner-applications/${String(applied.body['id'])}/approve`,
    {
      token: ADMIN_TOKEN,
      body: {},
    },
  );
  expect(approved.status, approved.text).toBe(201);
  const apiKey = approved.body['apiKey'] as { id: string; key: string };
  const partner = approved.body['partner'] as { id: string };
  return {
    partnerId: partner.id,
    slug: String(body['slug']),
    applicationId: String(applied.body['id']),
    key: apiKey.key,
    keyId: apiKey.id,
  };
}

/** A partner with one published model made from an example (optionally edited). */
export async function partnerWithModel(
  hub: HttpHub,
  file = 'acme.light.bulb1',
  edit: (doc: ModelSpec) => ModelSpec = (d) => d,
): Promise<{ partner: OnboardedPartner; modelId: string; spec: ModelSpec }> {
  const partner = await onboardDeviceMaker(hub);
  const spec = edit(exampleModel(file, partner.slug));
  const modelId = await publishModel(hub, partner, spec);
  return { partner, modelId, spec };
}

export async function provision(
  hub: HttpHub,
  partner: OnboardedPartner,
  modelId: string,
  count: number,
  version = 1,
): Promise<ProvisionedDevice[]> {
  const res = await hub.request('POST', '/v1/device-batches', {
    token: partner.key,
    body: { modelId, version, count },
  });
  expect(res.status, res.text).toBe(201);
  return res.body['devices'] as ProvisionedDevice[];
}

export function deviceOptions(device: ProvisionedDevice, extra: IClientOptions = {}): IClientOptions {
  return { clientId: device.id, username: device.id, password: device.secret, ...extra };
}

export function connectDevice(
  url: string,
  device: ProvisionedDevice,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  return connected(url, deviceOptions(device, extra));
}

let seq = Date.now();
/** A fresh sequence number, unique in this test process. */
export function nextSeq(): number {
  return ++seq;
}

/** Publishes a report (props by names, or by iids) at QoS 1 and resolves once the hub acknowledged it (PUBACK). */
export async function report(
  client: MqttClient,
  deviceId: string,
  props: Record<string, unknown> | ReadonlyArray<{ siid: number; piid: number; value: unknown }>,
  s = nextSeq(),
) {
  await client.publishAsync(`dev/${deviceId}/props`, JSON.stringify({ seq: s, props }), { qos: 1 });
  return s;
}

/** The user claims the device with its pairing code and becomes its owner. */
export async function claim(hub: HttpHub, userToken: string, device: ProvisionedDevice): Promise<void> {
  const res = await hub.request('POST', `/v1/devices/${device.id}/claim`, {
    token: userToken,
    body: { pairingCode: device.pairingCode },
  });
  expect(res.status, res.text).toBe(201);
}

/**
 * One device of a new partner's published model, claimed by a new user: where most device tests
 * start. The partner works through `maker`, the owner through `owner` (another node of a cluster).
 */
export async function ownedDevice(maker: HttpHub, owner: HttpHub = maker) {
  const { partner, modelId } = await partnerWithModel(maker);
  const [device] = await provision(maker, partner, modelId, 1);
  if (!device) throw new Error('no device');
  const user = await newUser(owner);
  await claim(owner, user.token, device);
  return { partner, modelId, device, user };
}

export interface DeviceCommandMessage {
  readonly id: string;
  readonly op: 'set' | 'get' | 'action';
  readonly props?:
    | Record<string, unknown>
    | string[]
    | Array<{ siid: number; piid: number; value?: unknown }>;
  readonly siid?: number;
  readonly aiid?: number;
  readonly action?: string;
  readonly in?: unknown[];
}

/**
 * A connected device that records every command it receives and answers through `answer`
 * (default: ok with empty data). Answers are published at QoS 1 on dev/{did}/replies.
 */
export async function fakeDevice(
  url: string,
  device: ProvisionedDevice,
  answer: (cmd: DeviceCommandMessage) => unknown | undefined = (cmd) => ({
    id: cmd.id,
    status: 'ok',
    data: {},
  }),
) {
  const client = await connectDevice(url, device);
  await client.subscribeAsync(`dev/${device.id}/cmd`, { qos: 1 });
  const received: DeviceCommandMessage[] = [];
  const waiters: Array<() => void> = [];
  client.on('message', (topic, payload) => {
    if (topic !== `dev/${device.id}/cmd`) return;
    const cmd = JSON.parse(payload.toString()) as DeviceCommandMessage;
    received.push(cmd);
    for (const w of waiters.splice(0)) w();
    const reply = answer(cmd);
    if (reply !== undefined) client.publish(`dev/${device.id}/replies`, JSON.stringify(reply), { qos: 1 });
  });
  return {
    client,
    received,
    /** Resolves once `n` commands have arrived, bounded. */
    async waitFor(n: number, timeoutMs = 5000): Promise<DeviceCommandMessage[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${received.length}/${n} commands arrived`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return received;
    },
  };
}
