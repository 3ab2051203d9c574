import { list, record } from '../api/decode.js';
import { type FlashSale, readSale } from '../api/flash.js';
import type { Http } from '../api/http.js';
import { type ProductionBatch, readProductionBatch } from './flash-types.js';
import {
  type Application,
  type Batch,
  type Contract,
  type LedgerEntry,
  type Model,
  type Partner,
  type ProvisionedDevice,
  readApplication,
  readBatch,
  readContract,
  readLedgerEntry,
  readModelSummary,
  readPartner,
  readProvisioned,
  readStatement,
  readVersion,
  type Statement,
  type Version,
} from './types.js';

const enc = encodeURIComponent;

export type VersionStep = 'submit' | 'publish' | 'retire';

/** The partner's and the operator's side of the REST API (docs/partners.md, models.md, devices.md, commerce.md). */
export class ConsoleApi {
  readonly #http: Http;

  constructor(http: Http) {
    this.#http = http;
  }

  async partnerMe(): Promise<Partner> {
    return readPartner(await this.#http.get('/v1/partners/me'));
  }

  async partners(): Promise<Partner[]> {
    return (await this.#http.list('/v1/partners')).map((p, i) => readPartner(p, `/${i}`));
  }

  async models(query = ''): Promise<Model[]> {
    return (await this.#http.list(`/v1/models${query}`)).map((m, i) => readModelSummary(m, `/${i}`));
  }

  async model(modelId: string): Promise<Model> {
    return readModelSummary(await this.#http.get(`/v1/models/${enc(modelId)}`));
  }

  async version(modelId: string, version: number): Promise<Version> {
    return readVersion(await this.#http.get(`/v1/models/${enc(modelId)}/versions/${version}`));
  }

  async createModel(document: unknown): Promise<Version> {
    return readVersion(await this.#http.post('/v1/models', document));
  }

  async replaceDraft(modelId: string, version: number, document: unknown): Promise<Version> {
    return readVersion(await this.#http.put(`/v1/models/${enc(modelId)}/versions/${version}`, document));
  }

  /** The next version as a draft, a copy of the latest one. */
  async newVersion(modelId: string): Promise<Version> {
    return readVersion(await this.#http.post(`/v1/models/${enc(modelId)}/versions`));
  }

  async step(modelId: string, version: number, step: VersionStep): Promise<Version> {
    return readVersion(await this.#http.post(`/v1/models/${enc(modelId)}/versions/${version}/${step}`));
  }

  /** Certifies on the version's passing harness run; `override` certifies without one (the note is the reason). */
  async certify(modelId: string, version: number, note: string, override = false): Promise<Version> {
    return readVersion(
      await this.#http.post(`/v1/models/${enc(modelId)}/versions/${version}/certify`, {
        note,
        ...(override ? { override: true } : {}),
      }),
    );
  }

  async batches(): Promise<Batch[]> {
    return (await this.#http.list('/v1/device-batches?limit=1000', 'batches')).map((b, i) =>
      readBatch(b, `/${i}`),
    );
  }

  async provision(body: { modelId: string; version: number; count: number; label?: string }): Promise<{
    batch: Batch;
    devices: ProvisionedDevice[];
  }> {
    const o = record(await this.#http.post('/v1/device-batches', body));
    return {
      batch: readBatch(o['batch'], '/batch'),
      devices: list(o['devices'], '/devices', readProvisioned),
    };
  }

  async ledger(partnerId: string, month?: string): Promise<LedgerEntry[]> {
    const q = month ? `?month=${enc(month)}` : '';
    return (await this.#http.list(`/v1/partners/${enc(partnerId)}/ledger${q}`, 'entries')).map((e, i) =>
      readLedgerEntry(e, `/entries/${i}`),
    );
  }

  async statement(partnerId: string, month: string): Promise<Statement> {
    return readStatement(await this.#http.get(`/v1/partners/${enc(partnerId)}/statements/${enc(month)}`));
  }

  statementCsv(partnerId: string, month: string): Promise<string> {
    return this.#http.text(`/v1/partners/${enc(partnerId)}/statements/${enc(month)}?format=csv`, 'text/csv');
  }

  async applications(status?: 'pending' | 'approved' | 'rejected'): Promise<Application[]> {
    const q = status ? `?status=${status}` : '';
    return (await this.#http.list(`/v1/partner-applications${q}`)).map((a, i) => readApplication(a, `/${i}`));
  }

  /** Approves an application: the partner's first API key is in the answer, shown once. */
  async approve(
    id: string,
    body: { rateBp?: number; note?: string },
  ): Promise<{ partner: Partner; apiKey: string }> {
    const o = record(await this.#http.post(`/v1/partner-applications/${enc(id)}/approve`, body));
    return {
      partner: readPartner(o['partner'], '/partner'),
      apiKey: String(record(o['apiKey'], '/apiKey')['key']),
    };
  }

  async reject(id: string, reason: string): Promise<Application> {
    return readApplication(await this.#http.post(`/v1/partner-applications/${enc(id)}/reject`, { reason }));
  }

  async contracts(partnerId: string): Promise<{ current: Contract | null; contracts: Contract[] }> {
    const o = record(await this.#http.get(`/v1/partners/${enc(partnerId)}/contracts`));
    return {
      current: o['current'] === null ? null : readContract(o['current'], '/current'),
      contracts: list(o['items'], '/items', readContract),
    };
  }

  async setContract(
    partnerId: string,
    body: { rateBp: number; effectiveFrom: string; note?: string },
  ): Promise<Contract> {
    return readContract(await this.#http.post(`/v1/partners/${enc(partnerId)}/contracts`, body));
  }

  async monthStatements(month: string): Promise<{ closed: boolean; statements: Statement[] }> {
    const o = record(await this.#http.get(`/v1/statements/${enc(month)}`));
    return { closed: o['closed'] === true, statements: list(o['items'], '/items', readStatement) };
  }

  async closeMonth(month: string): Promise<{ closedAt: string }> {
    const o = record(await this.#http.post(`/v1/statements/${enc(month)}/close`));
    return { closedAt: String(o['closedAt']) };
  }

  // --- flash sales, production batches, margins (docs/flash-sales.md) -----------------------

  async flashSales(partnerId: string): Promise<FlashSale[]> {
    return (await this.#http.list(`/v1/flash-sales?partnerId=${enc(partnerId)}`)).map((s, i) =>
      readSale(s, `/${i}`),
    );
  }

  async createFlashSale(body: Record<string, unknown>): Promise<FlashSale> {
    return readSale(await this.#http.post('/v1/flash-sales', body));
  }

  async productionBatches(): Promise<ProductionBatch[]> {
    return (await this.#http.list('/v1/production-batches')).map((b, i) => readProductionBatch(b, `/${i}`));
  }

  async recordBatch(body: {
    batchId: string;
    bomCostMinor?: number;
    holdUntilMarginBp?: number;
  }): Promise<ProductionBatch> {
    return readProductionBatch(await this.#http.post('/v1/production-batches', body));
  }

  async releaseBatch(batchId: string): Promise<ProductionBatch> {
    return readProductionBatch(await this.#http.post(`/v1/production-batches/${enc(batchId)}/release`));
  }

  /** The model's price / BOM / margin chart: SVG text drawn by the hub. */
  marginChart(modelId: string): Promise<string> {
    return this.#http.text(`/v1/models/${enc(modelId)}/margin-chart.svg`, 'image/svg+xml');
  }
}
