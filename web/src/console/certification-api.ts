import { isRecord, type Json, record } from '../api/decode.js';
import type { Http } from '../api/http.js';

const enc = encodeURIComponent;

export interface RunCase {
  readonly id: string;
  readonly verdict: string;
  readonly title: string;
  readonly reasons: readonly string[];
  readonly durationMs: number;
}

export interface Run {
  readonly id: string;
  readonly modelId: string;
  readonly version: number;
  readonly deviceId: string;
  readonly state: string;
  readonly verdict: string | null;
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly firmwareRevision: string | null;
  readonly startedAt: string;
  readonly cases: readonly RunCase[];
}

function readRun(value: unknown): Run {
  const r = record(value);
  const cases = Array.isArray(r['cases']) ? r['cases'] : [];
  return {
    id: String(r['id']),
    modelId: String(r['modelId']),
    version: Number(r['version']),
    deviceId: String(r['deviceId']),
    state: String(r['state']),
    verdict: typeof r['verdict'] === 'string' ? r['verdict'] : null,
    total: Number(r['total']),
    passed: Number(r['passed']),
    failed: Number(r['failed']),
    firmwareRevision: typeof r['firmwareRevision'] === 'string' ? r['firmwareRevision'] : null,
    startedAt: String(r['startedAt']),
    cases: cases.filter(isRecord).map((c) => ({
      id: String(c['id']),
      verdict: String(c['verdict']),
      title: String(c['title']),
      reasons: Array.isArray(c['reasons']) ? c['reasons'].map(String) : [],
      durationMs: Number(c['durationMs']),
    })),
  };
}

/** Certification runs, histories and quality scorecards (docs/certification.md). */
export class CertificationApi {
  readonly #http: Http;

  constructor(http: Http) {
    this.#http = http;
  }

  async runs(): Promise<Run[]> {
    const page = record(await this.#http.get('/v1/certification/runs?limit=50'));
    return (Array.isArray(page['items']) ? page['items'] : []).map(readRun);
  }

  async run(runId: string): Promise<Run> {
    return readRun(await this.#http.get(`/v1/certification/runs/${enc(runId)}`));
  }

  async start(body: {
    modelId: string;
    version: number;
    deviceId: string;
    packageId?: string;
  }): Promise<Run> {
    return readRun(await this.#http.post('/v1/certification/runs', body));
  }

  /** The signed report as the hub serves it: `{report, signature}`. */
  async report(runId: string): Promise<Json> {
    return record(await this.#http.get(`/v1/certification/runs/${enc(runId)}/report`));
  }

  async history(modelId: string, version: number): Promise<Json> {
    return record(await this.#http.get(`/v1/certification/models/${enc(modelId)}/versions/${version}`));
  }

  async partnerScorecard(partnerId: string): Promise<Json> {
    return record(await this.#http.get(`/v1/scorecards/partners/${enc(partnerId)}`));
  }

  async modelScorecard(modelId: string): Promise<Json> {
    return record(await this.#http.get(`/v1/scorecards/models/${enc(modelId)}`));
  }

  async compare(modelIds: readonly string[]): Promise<Json> {
    return record(await this.#http.get(`/v1/scorecards/compare?models=${modelIds.map(enc).join(',')}`));
  }
}
