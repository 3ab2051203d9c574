import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { ADMIN_TOKEN, type HttpHub } from './hub.js';
import type { OnboardedPartner } from './partners.js';

/**
 * An example model document (examples/models/acme.*.json) moved to the partner `slug`: the examples
 * use the partner segment `acme`, test partners get random slugs.
 */
export function exampleModel(file: string, slug: string): ModelSpec {
  const text = readFileSync(new URL(`../../examples/models/${file}.json`, import.meta.url), 'utf8');
  const doc = JSON.parse(text) as ModelSpec;
  const move = (id: string) => id.replace(/^acme\./, `${slug}.`);
  return {
    ...doc,
    model: move(doc.model),
    ...(doc.parent !== undefined ? { parent: move(doc.parent) } : {}),
  };
}

/** A deep copy to edit freely. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function versionPath(modelId: string, version: number, step = ''): string {
  return `/v1/models/${modelId}/versions/${version}${step ? `/${step}` : ''}`;
}

/** Runs one step and expects it to succeed with the given state. */
export async function step(
  hub: HttpHub,
  token: string,
  modelId: string,
  version: number,
  name: 'submit' | 'certify' | 'publish' | 'retire',
  expected: string,
): Promise<void> {
  const res = await hub.request('POST', versionPath(modelId, version, name), {
    token,
    ...(name === 'certify' ? { body: { note: 'checked by hand', override: true } } : {}),
  });
  expect(res.status, res.text).toBe(200);
  expect(res.body['state']).toBe(expected);
}

/** Creates the model (version 1 draft) and takes that version to `published`. */
export async function publishModel(hub: HttpHub, partner: OnboardedPartner, doc: ModelSpec): Promise<string> {
  const created = await hub.request('POST', '/v1/models', { token: partner.key, body: doc });
  expect(created.status, created.text).toBe(201);
  await publishVersion(hub, partner, doc.model, 1);
  return doc.model;
}

/** submit (owner) -> certify (operator) -> publish (owner). */
export async function publishVersion(
  hub: HttpHub,
  partner: OnboardedPartner,
  modelId: string,
  version: number,
): Promise<void> {
  await step(hub, partner.key, modelId, version, 'submit', 'submitted');
  await step(hub, ADMIN_TOKEN, modelId, version, 'certify', 'certified');
  await step(hub, partner.key, modelId, version, 'publish', 'published');
}
