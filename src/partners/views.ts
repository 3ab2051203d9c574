import type { PageKey } from '../store/page.js';
import type { ContractRow } from './store-contracts.js';
import type { ApiKeyRow } from './store-keys.js';
import type { ApplicationRow, ApplicationStatus, PartnerRow } from './store-partners.js';
import { formatUtcDate } from './utc-date.js';

/** What the API shows of each row: camelCase, ISO dates, never a secret or its hash. */

export interface ApplicationView {
  readonly id: string;
  readonly slug: string;
  readonly company: string;
  readonly contactEmail: string;
  readonly website: string;
  readonly categories: string[];
  readonly status: ApplicationStatus;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly decidedAt: string | null;
  readonly partnerId: string | null;
}

export interface PartnerView {
  readonly id: string;
  readonly slug: string;
  readonly company: string;
  readonly contactEmail: string;
  readonly website: string;
  readonly categories: string[];
  readonly applicationId: string;
  readonly createdAt: string;
}

export interface ApiKeyView {
  readonly id: string;
  readonly label: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** A newly issued key: the only time `key` is ever shown. */
export interface IssuedApiKey {
  readonly id: string;
  readonly key: string;
  readonly label: string;
  readonly createdAt: string;
}

export interface ContractView {
  readonly id: string;
  readonly partnerId: string;
  readonly rateBp: number;
  /** `YYYY-MM-DD`: the rate applies from UTC midnight of this date. */
  readonly effectiveFrom: string;
  readonly note: string | null;
  readonly createdAt: string;
}

export interface ContractHistory {
  /** The contract in force now (null only before the first one takes effect). */
  readonly current: ContractView | null;
  /** A page of every contract, the one that takes precedence first (latest effective date, then latest created). */
  readonly items: readonly ContractView[];
  readonly next: PageKey | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** The stored JSON was written by this module, but is still checked rather than trusted. */
export function parseCategories(text: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((c): c is string => typeof c === 'string')) {
    throw new Error('stored categories are not a list of strings');
  }
  return value;
}

export function applicationView(row: ApplicationRow): ApplicationView {
  return {
    id: row.id,
    slug: row.slug,
    company: row.company,
    contactEmail: row.contact_email,
    website: row.website,
    categories: parseCategories(row.categories),
    status: row.status,
    reason: row.reason,
    createdAt: iso(row.created_at),
    decidedAt: isoOrNull(row.decided_at),
    partnerId: row.partner_id,
  };
}

export function partnerView(row: PartnerRow): PartnerView {
  return {
    id: row.id,
    slug: row.slug,
    company: row.company,
    contactEmail: row.contact_email,
    website: row.website,
    categories: parseCategories(row.categories),
    applicationId: row.application_id,
    createdAt: iso(row.created_at),
  };
}

export function apiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    label: row.label,
    createdAt: iso(row.created_at),
    lastUsedAt: isoOrNull(row.last_used_at),
    revokedAt: isoOrNull(row.revoked_at),
  };
}

export function contractView(row: ContractRow): ContractView {
  return {
    id: row.id,
    partnerId: row.partner_id,
    rateBp: row.rate_bp,
    effectiveFrom: formatUtcDate(row.effective_from),
    note: row.note,
    createdAt: iso(row.created_at),
  };
}
