import type { Logger } from 'pino';
import { type FieldError, HubError } from '../errors.js';
import type { CredentialResolver, Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import { type CategoryCatalog, defaultCatalog } from '../registry/spec/index.js';
import type { Engine, Queryable } from '../store/engine.js';
import { type Page, type PageRequest, pageOf, pageOfList } from '../store/page.js';
import { requireOperator, visiblePartner } from './access.js';
import { ApiKeys } from './api-keys.js';
import * as contracts from './store-contracts.js';
import * as partners from './store-partners.js';
import { formatUtcDate, parseUtcDate, utcDayStart } from './utc-date.js';
import {
  type ApiKeyView,
  type ApplicationView,
  applicationView,
  type ContractHistory,
  type ContractView,
  contractView,
  type IssuedApiKey,
  type PartnerView,
  partnerView,
} from './views.js';

export { API_KEY_PREFIX, MAX_ACTIVE_API_KEYS } from './api-keys.js';

/** Commission of a new partner's first contract: 5 %. */
export const DEFAULT_RATE_BP = 500;

export interface PartnerOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly catalog?: CategoryCatalog;
  readonly maxActiveApiKeys?: number;
  /** A key stopped working (revoked or rotated): its live MQTT sessions end (hub wiring). */
  readonly onKeyRevoked?: (revocation: { partnerId: string; keyId: string; reason: string }) => void;
}

export interface ApplicationInput {
  readonly company: string;
  readonly contactEmail: string;
  readonly website: string;
  readonly slug: string;
  readonly categories: readonly string[];
}

export interface Approval {
  readonly partner: PartnerView;
  readonly contract: ContractView;
  readonly apiKey: IssuedApiKey;
}

export interface ContractInput {
  readonly rateBp: number;
  /** `YYYY-MM-DD` (UTC); must be after today. */
  readonly effectiveFrom: string;
  readonly note?: string;
}

function invalid(errors: readonly FieldError[]): HubError {
  return new HubError('VALIDATION_FAILED', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
    errors,
  });
}

function checkRate(rateBp: number): void {
  if (!Number.isInteger(rateBp) || rateBp < 0 || rateBp > 10_000) {
    throw invalid([
      { path: '/rateBp', message: 'must be an integer number of basis points from 0 to 10000' },
    ]);
  }
}

/**
 * Partner onboarding (apply, review), API keys and commission contracts. Every method acting for a
 * caller takes its Identity: the operator sees everything, a partner only itself, and another
 * partner's resources answer NOT_FOUND as if they did not exist.
 */
export class PartnerService {
  readonly #o: PartnerOptions;
  readonly #db: Engine;
  readonly #catalog: CategoryCatalog;
  readonly #keys: ApiKeys;

  constructor(options: PartnerOptions) {
    this.#o = options;
    this.#db = options.store;
    this.#catalog = options.catalog ?? defaultCatalog;
    this.#keys = new ApiKeys({
      store: options.store,
      log: options.log,
      now: options.now,
      ...(options.maxActiveApiKeys !== undefined ? { maxActive: options.maxActiveApiKeys } : {}),
      ...(options.onKeyRevoked !== undefined ? { onRevoke: options.onKeyRevoked } : {}),
    });
  }

  async apply(input: ApplicationInput): Promise<ApplicationView> {
    const unknown: FieldError[] = [];
    input.categories.forEach((category, i) => {
      if (!this.#catalog.categories.has(category)) {
        unknown.push({ path: `/categories/${i}`, message: `is not a known category (${category})` });
      }
    });
    if (unknown.length > 0) throw invalid(unknown);
    const row = {
      id: newId(),
      slug: input.slug,
      company: input.company,
      contact_email: input.contactEmail,
      website: input.website,
      categories: JSON.stringify(input.categories),
      created_at: this.#o.now(),
    };
    // Serializable: the slug check and the insert are one decision (partners hold slugs too).
    const inserted = await this.#db.transaction(
      async (tx) => !(await partners.slugTaken(tx, row.slug)) && (await partners.insertApplication(tx, row)),
      { isolation: 'serializable' },
    );
    if (!inserted) {
      throw new HubError('ALREADY_EXISTS', `the slug "${row.slug}" is already taken`, {
        errors: [{ path: '/slug', message: 'is already used by another application or partner' }],
      });
    }
    this.#o.log.info({ applicationId: row.id, slug: row.slug }, 'partner application received');
    return applicationView({
      ...row,
      status: 'pending',
      reason: null,
      decided_at: null,
      decided_by: null,
      partner_id: null,
    });
  }

  async applications(
    caller: Identity,
    status: partners.ApplicationStatus | undefined,
    page: PageRequest,
  ): Promise<Page<ApplicationView>> {
    requireOperator(caller);
    const rows = await partners.listApplications(this.#db, status, page);
    return pageOf(rows, page.limit, (r) => [r.created_at, r.id], applicationView);
  }

  async application(caller: Identity, applicationId: string): Promise<ApplicationView> {
    requireOperator(caller);
    const row = await partners.findApplication(this.#db, applicationId);
    if (!row) throw new HubError('NOT_FOUND', 'application not found');
    return applicationView(row);
  }

  /** Creates the partner, its first contract (effective today, UTC) and its first API key, atomically. */
  async approve(
    caller: Identity,
    applicationId: string,
    input: { rateBp?: number; note?: string } = {},
  ): Promise<Approval> {
    const operator = requireOperator(caller);
    const rateBp = input.rateBp ?? DEFAULT_RATE_BP;
    checkRate(rateBp);
    const now = this.#o.now();
    const result = await this.#db.transaction(async (tx) => {
      const application = await this.#pending(tx, applicationId);
      // Conditional on 'pending': of two concurrent decisions only one goes through.
      const decided = await partners.decideApplication(tx, {
        id: application.id,
        status: 'approved',
        reason: null,
        at: now,
        by: operator.tokenId,
      });
      if (!decided) throw new HubError('INVALID_STATE', 'application is no longer pending');
      const partner: partners.PartnerRow = {
        id: newId(),
        slug: application.slug,
        company: application.company,
        contact_email: application.contact_email,
        website: application.website,
        categories: application.categories,
        application_id: application.id,
        created_at: now,
      };
      await partners.insertPartner(tx, partner);
      const contract: contracts.ContractRow = {
        id: newId(),
        partner_id: partner.id,
        rate_bp: rateBp,
        effective_from: utcDayStart(now),
        note: input.note ?? null,
        created_at: now,
        created_by: operator.tokenId,
      };
      await contracts.insertContract(tx, contract);
      const apiKey = await this.#keys.issue(tx, partner.id, 'initial', now);
      return { partner: partnerView(partner), contract: contractView(contract), apiKey };
    });
    this.#o.log.info(
      { applicationId, partnerId: result.partner.id, rateBp, keyId: result.apiKey.id },
      'partner application approved',
    );
    return result;
  }

  async reject(caller: Identity, applicationId: string, reason: string): Promise<ApplicationView> {
    const operator = requireOperator(caller);
    await this.#db.transaction(async (tx) => {
      await this.#pending(tx, applicationId);
      const decided = await partners.decideApplication(tx, {
        id: applicationId,
        status: 'rejected',
        reason,
        at: this.#o.now(),
        by: operator.tokenId,
      });
      if (!decided) throw new HubError('INVALID_STATE', 'application is no longer pending');
    });
    this.#o.log.info({ applicationId }, 'partner application rejected');
    return this.application(caller, applicationId);
  }

  async partners(caller: Identity, page: PageRequest): Promise<Page<PartnerView>> {
    requireOperator(caller);
    return pageOf(
      await partners.listPartners(this.#db, page),
      page.limit,
      (r) => [r.created_at, r.id],
      partnerView,
    );
  }

  async partner(caller: Identity, partnerId: string): Promise<PartnerView> {
    return partnerView(await visiblePartner(this.#db, caller, partnerId));
  }

  /** For other modules (e.g. the registry checks a model id's first segment); no access check. */
  async findPartner(partnerId: string): Promise<PartnerView | undefined> {
    const row = await partners.findPartner(this.#db, partnerId);
    return row && partnerView(row);
  }

  apiKeys(caller: Identity, partnerId: string, page: PageRequest): Promise<Page<ApiKeyView>> {
    return this.#keys.list(caller, partnerId, page);
  }

  createApiKey(caller: Identity, partnerId: string, label: string): Promise<IssuedApiKey> {
    return this.#keys.create(caller, partnerId, label);
  }

  rotateApiKey(caller: Identity, partnerId: string, keyId: string): Promise<IssuedApiKey> {
    return this.#keys.rotate(caller, partnerId, keyId);
  }

  revokeApiKey(caller: Identity, partnerId: string, keyId: string): Promise<void> {
    return this.#keys.revoke(caller, partnerId, keyId);
  }

  /** Bearer resolver for `ek_<id>_<secret>` (registered in the hub's resolver map). */
  get resolveApiKey(): CredentialResolver {
    return this.#keys.resolve;
  }

  /** The contract in force now and a page of the history (append-only, a few rows a year: paged in memory). */
  async contracts(caller: Identity, partnerId: string, page: PageRequest): Promise<ContractHistory> {
    await visiblePartner(this.#db, caller, partnerId);
    const current = await contracts.contractAt(this.#db, partnerId, this.#o.now());
    const history = await contracts.listContracts(this.#db, partnerId);
    const { items, next } = pageOfList(history, page, (r) => [r.effective_from, r.created_at, r.id], 'desc');
    return { current: current ? contractView(current) : null, items: items.map(contractView), next };
  }

  /**
   * Appends a contract (the history is never updated). It may only start after today (UTC): a sale
   * already made, even earlier today, keeps the rate it was made at, so no backdating, no same-day change.
   */
  async setContract(caller: Identity, partnerId: string, input: ContractInput): Promise<ContractView> {
    const operator = requireOperator(caller);
    checkRate(input.rateBp);
    const effectiveFrom = parseUtcDate(input.effectiveFrom);
    if (effectiveFrom === undefined) {
      throw invalid([{ path: '/effectiveFrom', message: 'must be a calendar date YYYY-MM-DD' }]);
    }
    const now = this.#o.now();
    const today = utcDayStart(now);
    if (effectiveFrom <= today) {
      const message = `must be after today (${formatUtcDate(today)} UTC): sales already made keep their rate`;
      throw invalid([{ path: '/effectiveFrom', message }]);
    }
    const row: contracts.ContractRow = {
      id: newId(),
      partner_id: partnerId,
      rate_bp: input.rateBp,
      effective_from: effectiveFrom,
      note: input.note ?? null,
      created_at: now,
      created_by: operator.tokenId,
    };
    await this.#db.transaction(
      async (tx) => {
        if (!(await partners.findPartner(tx, partnerId)))
          throw new HubError('NOT_FOUND', 'partner not found');
        await contracts.insertContract(tx, row);
      },
      { durable: true },
    );
    this.#o.log.info(
      { partnerId, contractId: row.id, rateBp: row.rate_bp, effectiveFrom: input.effectiveFrom },
      'contract set',
    );
    return contractView(row);
  }

  /**
   * Commission rate (basis points) in force for the partner at `atMs`: the contract with the latest
   * effective date <= atMs, the latest created on a tie. Commerce charges each sale at its own time.
   * Throws NOT_FOUND for an unknown partner, INVALID_STATE before its first contract.
   */
  async rateAt(partnerId: string, atMs: number, db: Queryable = this.#db): Promise<number> {
    const row = await contracts.contractAt(db, partnerId, atMs);
    if (row) return row.rate_bp;
    if (!(await partners.findPartner(db, partnerId))) throw new HubError('NOT_FOUND', 'partner not found');
    throw new HubError(
      'INVALID_STATE',
      `partner has no contract in force at ${new Date(atMs).toISOString()}`,
    );
  }

  async #pending(db: Queryable, applicationId: string): Promise<partners.ApplicationRow> {
    const row = await partners.findApplication(db, applicationId);
    if (!row) throw new HubError('NOT_FOUND', 'application not found');
    if (row.status !== 'pending')
      throw new HubError('INVALID_STATE', `application is ${row.status}, not pending`);
    return row;
  }
}
