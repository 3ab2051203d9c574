import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { claim, type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { newUser, type TestHub } from '../support/hub.js';
import { connected, phoneOptions } from '../support/mqtt.js';
import type { OnboardedPartner } from '../support/partners.js';

export interface Owner {
  readonly id: string;
  readonly token: string;
  readonly email: string;
  readonly device: ProvisionedDevice;
}

export interface Maker {
  readonly partner: OnboardedPartner;
  readonly modelId: string;
  readonly spec: ModelSpec;
  readonly owners: Owner[];
  readonly spare: ProvisionedDevice[];
}

/** A partner with a published model and `owners` users who each claimed one device of it. */
export async function makerWithOwners(hub: TestHub, owners: number, spare = 0): Promise<Maker> {
  const { partner, modelId, spec } = await partnerWithModel(hub);
  const devices = await provision(hub, partner, modelId, owners + spare);
  const list: Owner[] = [];
  for (const device of devices.slice(0, owners)) {
    const user = await newUser(hub);
    await claim(hub, user.token, device);
    list.push({ id: user.id, token: user.token, email: user.email, device });
  }
  return { partner, modelId, spec, owners: list, spare: devices.slice(owners) };
}

export async function createPost(
  hub: TestHub,
  token: string,
  modelId: string,
  body: Record<string, unknown> = { kind: 'idea', title: 'Sunrise mode', body: 'Fade in over 20 minutes' },
): Promise<Record<string, unknown>> {
  const res = await hub.request('POST', `/v1/models/${modelId}/posts`, { token, body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export async function vote(hub: TestHub, token: string, postId: string): Promise<Record<string, unknown>> {
  const res = await hub.request('PUT', `/v1/posts/${postId}/vote`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

export async function votesOf(hub: TestHub, token: string, postId: string) {
  const res = await hub.request('GET', `/v1/posts/${postId}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body['votes'] as { total: number; verified: number; last7Days: number };
}

/** A phone of the user subscribed to its notification topic; `notices` collects what arrives. */
export async function notificationPhone(hub: TestHub, user: { id: string; token: string }) {
  const client: MqttClient = await connected(hub.mqttUrl, phoneOptions(user));
  const notices: Array<Record<string, unknown>> = [];
  client.on('message', (topic, payload) => {
    if (topic === `app/${user.id}/notifications`)
      notices.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await client.subscribeAsync(`app/${user.id}/notifications`, { qos: 1 });
  return { client, notices };
}

export async function inbox(hub: TestHub, token: string): Promise<Array<Record<string, unknown>>> {
  const res = await hub.request('GET', '/v1/me/notifications?limit=1000', { token });
  expect(res.status, res.text).toBe(200);
  return res.body['items'] as Array<Record<string, unknown>>;
}
