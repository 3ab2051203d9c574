import type { Logger } from 'pino';
import { type FieldError, HubError } from '../../errors.js';
import type { Identity } from '../../identity/identity.js';
import type { Engine, Queryable } from '../../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../../store/page.js';
import { diffAddOnly, diffVariant, type ModelSpec } from '../spec/index.js';
import { inState, ownedModel, partnerProfile, requirePartner, versionOf, visibleModel } from './access.js';
import { changeErrors, checkDocument, expectationFor, initialVersion, invalidDocument } from './documents.js';
import { type ImportedVersion, importForPartner } from './imports.js';
import * as store from './store.js';
import {
  type CatalogEntry,
  catalogEntry,
  type Finding,
  type ModelView,
  modelView,
  type VersionView,
  versionView,
} from './views.js';

export type { ImportedVersion } from './imports.js';
export { findModelSpec, MODEL_STATES, type ModelState } from './store.js';
export type { CatalogEntry, Finding, ModelView, VersionSummary, VersionView } from './views.js';

export interface ModelOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
}

export interface ModelFilter {
  readonly partnerId?: string | undefined;
  readonly state?: store.ModelState | undefined;
}

export interface VariantInput {
  readonly code: string;
  /** Display names by locale; checked with the rest of the document (Q022). */
  readonly name?: Readonly<Record<string, string>> | undefined;
}

/**
 * The model lifecycle: draft -> submitted -> certified -> published -> retired, per version.
 * A partner sees and changes only its own models (another partner's answer NOT_FOUND, as if absent);
 * the operator sees all, certifies and may retire. Every change is one transaction whose write is
 * conditional on the state it leaves.
 */
export class ModelService {
  readonly #db: Engine;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(options: ModelOptions) {
    this.#db = options.store;
    this.#log = options.log;
    this.#now = options.now;
  }

  /**
   * Creates the model and its first version as a draft: version 1, or the instance version its MIoT
   * device type names (a MIoT model at version 3 keeps its number here).
   */
  async create(caller: Identity, document: unknown): Promise<VersionView> {
    const partner = requirePartner(caller);
    return this.#db.transaction(async (tx) => {
      const profile = await partnerProfile(tx, partner.partnerId);
      const first = initialVersion(document);
      const { spec, warnings } = checkDocument(
        document,
        expectationFor(profile, { parent: null, specVersion: first }),
      );
      await this.#insertModel(tx, spec, partner.partnerId, null, warnings, first);
      this.#log.info({ modelId: spec.model, partnerId: partner.partnerId }, 'model created');
      return await this.#view(tx, caller, spec.model, first);
    });
  }

  /** Imports a MIoT-Spec-V2 instance as a new model of the caller (docs/models.md, "Importing"). */
  async importMiot(caller: Identity, source: unknown, modelId?: string): Promise<ImportedVersion> {
    const partner = requirePartner(caller);
    const { slug } = await partnerProfile(this.#db, partner.partnerId);
    const { document, notes } = importForPartner(source, slug, modelId);
    return { ...(await this.create(caller, document)), importNotes: notes };
  }

  /** Models by id with their versions (a partner sees its own). */
  async list(caller: Identity, filter: ModelFilter, page: PageRequest): Promise<Page<ModelView>> {
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'a user may not manage models');
    if (
      caller.kind === 'partner' &&
      filter.partnerId !== undefined &&
      filter.partnerId !== caller.partnerId
    ) {
      return { items: [], next: null };
    }
    const effective = { ...filter, ...(caller.kind === 'partner' ? { partnerId: caller.partnerId } : {}) };
    const rows = await store.listModels(this.#db, effective, page);
    const shown = rows.slice(0, page.limit);
    const versions = new Map<string, store.VersionSummaryRow[]>();
    for (const row of await store.versionSummariesFor(
      this.#db,
      shown.map((m) => m.id),
    )) {
      const list = versions.get(row.model_id);
      if (list) list.push(row);
      else versions.set(row.model_id, [row]);
    }
    return pageOf(
      rows,
      page.limit,
      (m) => [m.id],
      (model) => modelView(model, versions.get(model.id) ?? []),
    );
  }

  async model(caller: Identity, modelId: string): Promise<ModelView> {
    const model = await visibleModel(this.#db, caller, modelId);
    return modelView(model, await store.versionSummariesOf(this.#db, modelId));
  }

  async version(caller: Identity, modelId: string, version: number): Promise<VersionView> {
    await visibleModel(this.#db, caller, modelId);
    return await this.#view(this.#db, caller, modelId, version);
  }

  /** Replaces a draft's document (re-validated). */
  async replaceDraft(
    caller: Identity,
    modelId: string,
    version: number,
    document: unknown,
  ): Promise<VersionView> {
    return this.#db.transaction(async (tx) => {
      const { model, profile } = await ownedModel(tx, caller, modelId);
      inState(await versionOf(tx, modelId, version), 'draft', 'edit');
      const { spec, warnings } = checkDocument(
        document,
        expectationFor(profile, { model, specVersion: version }),
      );
      const at = this.#now();
      await store.replaceDraft(tx, {
        model_id: modelId,
        version,
        document: JSON.stringify(spec),
        warnings: JSON.stringify(warnings),
        at,
      });
      return await this.#view(tx, caller, modelId, version);
    });
  }

  /**
   * Starts version max+1 as a draft: `document`, or a copy of the latest version's with its
   * specVersion bumped. One version is in flight at a time: the latest must be published or retired.
   */
  async startVersion(caller: Identity, modelId: string, document: unknown): Promise<VersionView> {
    return this.#db.transaction(async (tx) => {
      const { model, profile } = await ownedModel(tx, caller, modelId);
      const latest = await store.latestVersion(tx, modelId);
      if (!latest) throw new HubError('NOT_FOUND', 'model not found');
      if (latest.state === 'draft' || latest.state === 'submitted' || latest.state === 'certified') {
        throw new HubError(
          'INVALID_STATE',
          `version ${latest.version} is ${latest.state}, not published or retired: ` +
            'a new version starts once the previous one is published or retired (one draft at a time)',
        );
      }
      const next = latest.version + 1;
      const doc = document ?? { ...store.parseStoredSpec(latest.document), specVersion: next };
      const { warnings } = checkDocument(doc, expectationFor(profile, { model, specVersion: next }));
      await store.insertVersion(tx, {
        model_id: modelId,
        version: next,
        document: JSON.stringify(doc),
        warnings: JSON.stringify(warnings),
        created_at: this.#now(),
      });
      this.#log.info({ modelId, version: next }, 'model version started');
      return await this.#view(tx, caller, modelId, next);
    });
  }

  /**
   * draft -> submitted, after validating again and checking MIoT's upgrade rule: against the latest
   * version ever published, the new one may only add. A variant must also keep everything its parent
   * published first (what every later parent version still holds).
   */
  async submit(caller: Identity, modelId: string, version: number): Promise<VersionView> {
    return this.#db.transaction(async (tx) => {
      const { model, profile } = await ownedModel(tx, caller, modelId);
      const row = inState(await versionOf(tx, modelId, version), 'draft', 'submit');
      const { spec, warnings } = checkDocument(
        JSON.parse(row.document),
        expectationFor(profile, { model, specVersion: version }),
      );
      const errors: FieldError[] = [];
      const previous = await store.everPublished(tx, modelId, 'latest', version);
      if (previous)
        errors.push(...changeErrors('ADD-ONLY', diffAddOnly(store.parseStoredSpec(previous.document), spec)));
      const parent =
        model.parent_id === null ? undefined : await store.everPublished(tx, model.parent_id, 'earliest');
      if (parent)
        errors.push(...changeErrors('VARIANT', diffVariant(store.parseStoredSpec(parent.document), spec)));
      if (errors.length > 0) {
        const summary = `version ${version} removes or changes what was published before (paths point into that document)`;
        throw invalidDocument(summary, errors);
      }
      await store.submitVersion(tx, {
        model_id: modelId,
        version,
        warnings: JSON.stringify(warnings),
        at: this.#now(),
      });
      this.#log.info({ modelId, version }, 'model version submitted');
      return await this.#view(tx, caller, modelId, version);
    });
  }

  /** submitted -> certified: the operator's manual override until automated certification exists. */
  async certify(caller: Identity, modelId: string, version: number, note: string): Promise<VersionView> {
    if (caller.kind !== 'operator') throw new HubError('FORBIDDEN', 'only an operator may certify');
    return this.#db.transaction(async (tx) => {
      await visibleModel(tx, caller, modelId);
      inState(await versionOf(tx, modelId, version), 'submitted', 'certify');
      await store.certifyVersion(tx, {
        model_id: modelId,
        version,
        by: caller.tokenId,
        note,
        at: this.#now(),
      });
      this.#log.info({ modelId, version, by: caller.tokenId }, 'model version certified');
      return await this.#view(tx, caller, modelId, version);
    });
  }

  /** certified -> published: the version appears in the catalog and may be provisioned. */
  async publish(caller: Identity, modelId: string, version: number): Promise<VersionView> {
    return this.#db.transaction(async (tx) => {
      await ownedModel(tx, caller, modelId);
      inState(await versionOf(tx, modelId, version), 'certified', 'publish');
      await store.publishVersion(tx, { model_id: modelId, version, at: this.#now() });
      this.#log.info({ modelId, version }, 'model version published');
      return await this.#view(tx, caller, modelId, version);
    });
  }

  /** published -> retired (owner or operator): the version leaves the catalog. */
  async retire(caller: Identity, modelId: string, version: number): Promise<VersionView> {
    return this.#db.transaction(async (tx) => {
      await visibleModel(tx, caller, modelId);
      inState(await versionOf(tx, modelId, version), 'published', 'retire');
      await store.retireVersion(tx, { model_id: modelId, version, at: this.#now() });
      this.#log.info({ modelId, version, by: caller.kind }, 'model version retired');
      return await this.#view(tx, caller, modelId, version);
    });
  }

  /**
   * Creates the "S" variant `{slug}.{category}.{code}`: its version 1 draft is the parent's latest
   * published document with `model`, `parent`, `specVersion` (and `name`, if given) replaced.
   */
  async createVariant(caller: Identity, parentId: string, input: VariantInput): Promise<VersionView> {
    return this.#db.transaction(async (tx) => {
      const { model: parent, profile } = await ownedModel(tx, caller, parentId);
      const base = await store.latestPublished(tx, parentId);
      if (!base) {
        throw new HubError(
          'INVALID_STATE',
          `model ${parentId} has no published version: a variant derives from its parent's published spec`,
        );
      }
      const baseSpec = store.parseStoredSpec(base.document);
      const doc = {
        ...baseSpec,
        model: `${profile.slug}.${parent.category}.${input.code}`,
        specVersion: 1,
        name: input.name ?? baseSpec.name,
        parent: parentId,
      };
      const { spec, warnings } = checkDocument(
        doc,
        expectationFor(profile, { parent: parentId, specVersion: 1 }),
      );
      await this.#insertModel(tx, spec, parent.partner_id, parentId, warnings);
      this.#log.info({ modelId: spec.model, parentId, fromVersion: base.version }, 'variant created');
      return await this.#view(tx, caller, spec.model, 1);
    });
  }

  /** Published models, the latest published version of each (public). */
  async catalog(category: string | undefined, page: PageRequest): Promise<Page<CatalogEntry>> {
    return pageOf(
      await store.listCatalog(this.#db, category, page),
      page.limit,
      (r) => [r.model_id],
      catalogEntry,
    );
  }

  /** The latest published document of a model: what an app needs to render its controls. */
  async catalogDocument(modelId: string): Promise<ModelSpec> {
    const row = await store.findCatalogEntry(this.#db, modelId);
    if (!row) throw new HubError('NOT_FOUND', 'no published model with this id');
    return store.parseStoredSpec(row.document);
  }

  async #insertModel(
    db: Queryable,
    spec: ModelSpec,
    partnerId: string,
    parentId: string | null,
    warnings: Finding[],
    version = 1,
  ): Promise<void> {
    const at = this.#now();
    const row = {
      id: spec.model,
      partner_id: partnerId,
      category: spec.category,
      parent_id: parentId,
      created_at: at,
    };
    if (!(await store.insertModel(db, row))) {
      throw new HubError('ALREADY_EXISTS', `model ${spec.model} already exists`, {
        errors: [{ path: '/model', message: 'is already taken' }],
      });
    }
    await store.insertVersion(db, {
      model_id: spec.model,
      version,
      document: JSON.stringify(spec),
      warnings: JSON.stringify(warnings),
      created_at: at,
    });
  }

  async #view(db: Queryable, caller: Identity, modelId: string, version: number): Promise<VersionView> {
    return versionView(await versionOf(db, modelId, version), { showCertifier: caller.kind === 'operator' });
  }
}
