import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ADMIN_TOKEN, type HttpHub } from './hub.js';

/** A valid application body with a fresh slug; fields can be overridden (or broken) per test. */
export function applicationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const slug = `p-${randomBytes(5).toString('hex')}`;
  return {
    company: `Company ${slug}`,
    contactEmail: `partners@${slug}.example.com`,
    website: `https://${slug}.example.com`,
    slug,
    categories: ['light', 'plug'],
    ...overrides,
  };
}

export interface OnboardedPartner {
  readonly partnerId: string;
  readonly slug: string;
  readonly applicationId: string;
  /** The first API key (`ek_...`). */
  readonly key: string;
  readonly keyId: string;
}

/** Applies and has the operator approve: a partner with its first API key. */
export async function onboardPartner(
  hub: HttpHub,
  approve: Record<string, unknown> = {},
): Promise<OnboardedPartner> {
  const body = applicationBody();
  const applied = await hub.request('POST', '/v1/partner-applications', { body });
  expect(applied.status, applied.text).toBe(201);
  const applicationId = String(applied.body['id']);
  const approved = await hub.request('POST', `/v1/partner-applications/${applicationId}/approve`, {
    token: ADMIN_TOKEN,
    body: approve,
  });
  expect(approved.status, approved.text).toBe(201);
  const partner = approved.body['partner'] as { id: string };
  const apiKey = approved.body['apiKey'] as { id: string; key: string };
  return {
    partnerId: partner.id,
    slug: String(body['slug']),
    applicationId,
    key: apiKey.key,
    keyId: apiKey.id,
  };
}
