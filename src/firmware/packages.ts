import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine } from '../store/engine.js';
import { managedModel, notUser, partnerScope, visibleTo } from './access.js';
import { canonicalManifest, type Manifest, publicKeyFromRaw, verifySignature } from './manifest.js';
import type { ReleaseKey } from './release-key.js';
import { parseSemVer } from './semver.js';
import * as fleet from './store-fleet.js';
import * as store from './store-packages.js';
import { type PackageView, packageView } from './views.js';

export interface PackageServiceOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly key: ReleaseKey;
  /** Folder the binaries are kept in (dataDir/firmware). */
  readonly dir: string;
  readonly maxBytes: number;
  readonly now: () => number;
}

export interface NewPackage {
  readonly modelId: string;
  readonly version: string;
  readonly specVersion: number;
  readonly notes: string;
}

/**
 * Firmware packages: a partner registers a version of its model's firmware, streams the binary
 * (hashed on the way, never held whole in memory), and the hub signs the manifest.
 */
export class PackageService {
  readonly #o: PackageServiceOptions;
  /** Uploads in flight, by package: a second concurrent upload of one package is refused. */
  readonly #uploading = new Set<string>();

  constructor(options: PackageServiceOptions) {
    this.#o = options;
  }

  filePath(packageId: string): string {
    return join(this.#o.dir, `${packageId}.bin`);
  }

  async create(caller: Identity, input: NewPackage): Promise<PackageView> {
    if (caller.kind !== 'partner') {
      throw new HubError('FORBIDDEN', 'only the partner that owns the model uploads its firmware');
    }
    const partnerId = await managedModel(this.#o.store, caller, input.modelId);
    if (!parseSemVer(input.version)) {
      throw new HubError('VALIDATION_FAILED', `version ${input.version} is not a semantic version`, {
        errors: [{ path: '/version', message: 'must be a semantic version like 1.4.2 or 2.0.0-beta.1' }],
      });
    }
    const spec = await fleet.modelVersion(this.#o.store, input.modelId, input.specVersion);
    if (spec?.state !== 'published') {
      throw new HubError('VALIDATION_FAILED', `spec version ${input.specVersion} is not published`, {
        errors: [
          {
            path: '/specVersion',
            message: `must be a published spec version of ${input.modelId}`,
          },
        ],
      });
    }
    const id = `fw_${randomBytes(8).toString('hex')}`;
    const inserted = await store.insertPackage(this.#o.store, {
      id,
      partner_id: partnerId,
      model_id: input.modelId,
      version: input.version,
      spec_version: input.specVersion,
      notes: input.notes,
      created_at: this.#o.now(),
    });
    if (!inserted) {
      throw new HubError('ALREADY_EXISTS', `${input.modelId} already has firmware ${input.version}`);
    }
    this.#o.log.info({ packageId: id, modelId: input.modelId, version: input.version }, 'package created');
    return this.#view(await this.#row(id));
  }

  /**
   * Streams the binary to disk (SHA-256 on the way, `maxBytes` enforced as bytes arrive), fsyncs
   * it, then signs the manifest. Answered only once all of that is durable.
   */
  async upload(caller: Identity, packageId: string, body: Readable): Promise<PackageView> {
    const row = await this.owned(caller, packageId);
    if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'only the owning partner uploads');
    if (row.state !== 'draft') {
      body.resume();
      throw new HubError('INVALID_STATE', `package ${packageId} is ${row.state}: its binary is fixed`);
    }
    if (this.#uploading.has(packageId)) {
      body.resume();
      throw new HubError('INVALID_STATE', `package ${packageId} is being uploaded already`);
    }
    this.#uploading.add(packageId);
    await mkdir(this.#o.dir, { recursive: true, mode: 0o700 });
    const part = join(this.#o.dir, `${packageId}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.#o.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) {
          done(new HubError('PAYLOAD_TOO_LARGE', `a firmware binary may be at most ${max} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(part, { mode: 0o600 }));
      if (size === 0) throw new HubError('VALIDATION_FAILED', 'the binary is empty');
      const handle = await open(part, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(part, this.filePath(packageId));
    } catch (err) {
      body.resume();
      await rm(part, { force: true });
      throw err;
    } finally {
      this.#uploading.delete(packageId);
    }
    const at = this.#o.now();
    const manifest: Manifest = {
      format: 'ecohub-firmware/1',
      packageId,
      model: row.model_id,
      version: row.version,
      size,
      sha256: hash.digest('hex'),
      specVersion: row.spec_version,
      issuedAt: at,
    };
    const text = canonicalManifest(manifest);
    const ok = await store.markReady(this.#o.store, packageId, {
      size,
      sha256: manifest.sha256,
      manifest: text,
      signature: this.#o.key.sign(text),
      partnerSignature: null,
      at,
    });
    if (!ok) throw new HubError('INVALID_STATE', `package ${packageId} is no longer a draft`);
    this.#o.log.info({ packageId, size, sha256: manifest.sha256 }, 'package signed');
    return this.#view(await this.#row(packageId));
  }

  /** The partner's own Ed25519 signature of the manifest, checked before it is stored. */
  async addPartnerSignature(
    caller: Identity,
    packageId: string,
    input: { publicKey: string; signature: string },
  ): Promise<PackageView> {
    const row = await this.owned(caller, packageId);
    if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'only the owning partner signs');
    if (row.state !== 'ready' || row.manifest === null) {
      throw new HubError('INVALID_STATE', 'upload the binary first: there is no manifest to sign yet');
    }
    const raw = Buffer.from(input.publicKey, 'base64');
    if (raw.length !== 32) {
      throw new HubError('VALIDATION_FAILED', 'publicKey is not a raw Ed25519 key', {
        errors: [{ path: '/publicKey', message: 'must be the base64 of a 32-byte Ed25519 public key' }],
      });
    }
    if (!verifySignature(row.manifest, input.signature, publicKeyFromRaw(raw))) {
      throw new HubError('VALIDATION_FAILED', 'the signature does not verify', {
        errors: [{ path: '/signature', message: 'must be the Ed25519 signature of the manifest text' }],
      });
    }
    await store.setPartnerSignature(this.#o.store, packageId, JSON.stringify(input));
    return this.#view(await this.#row(packageId));
  }

  async withdraw(caller: Identity, packageId: string): Promise<PackageView> {
    await this.owned(caller, packageId);
    if (!(await store.withdraw(this.#o.store, packageId))) {
      throw new HubError('INVALID_STATE', 'only a ready package can be withdrawn');
    }
    return this.#view(await this.#row(packageId));
  }

  async get(caller: Identity, packageId: string): Promise<PackageView> {
    return this.#view(await this.owned(caller, packageId));
  }

  async list(
    caller: Identity,
    filter: { modelId?: string | undefined; released?: boolean | undefined },
    page: { after?: readonly (string | number)[] | undefined; limit: number },
  ) {
    const rows = await store.listPackages(
      this.#o.store,
      { partnerId: partnerScope(caller), modelId: filter.modelId, released: filter.released },
      page,
    );
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      items: shown.map((r) => this.#view(r)),
      next: rows.length > page.limit && last ? [last.created_at, last.id] : null,
    };
  }

  /** The package if the caller may manage it; NOT_FOUND otherwise. */
  async owned(caller: Identity, packageId: string): Promise<store.PackageRow> {
    notUser(caller);
    const row = await store.findPackage(this.#o.store, packageId);
    if (!row || !visibleTo(caller, row.partner_id)) throw new HubError('NOT_FOUND', 'package not found');
    return row;
  }

  /** A package by id, for the hub's other domains (no caller: they check their own access). */
  find(packageId: string): Promise<store.PackageRow | undefined> {
    return store.findPackage(this.#o.store, packageId);
  }

  /** Size of the stored binary (for the download route), or undefined when it is missing. */
  async storedSize(packageId: string): Promise<number | undefined> {
    try {
      return (await stat(this.filePath(packageId))).size;
    } catch {
      return undefined;
    }
  }

  async #row(id: string): Promise<store.PackageRow> {
    const row = await store.findPackage(this.#o.store, id);
    if (!row) throw new HubError('NOT_FOUND', 'package not found');
    return row;
  }

  #view(row: store.PackageRow): PackageView {
    return packageView(row, this.#o.key.keyId);
  }
}
