import { collectPages } from './pages.js';

/** A problem+json answer (docs/api.md), or a network failure (`code` NETWORK). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: ReadonlyArray<{ path: string; message: string }>;

  constructor(
    status: number,
    code: string,
    message: string,
    errors: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.errors = errors;
  }

  /** The message for one field (`/email`), for showing beside that input. */
  fieldMessage(path: string): string | undefined {
    return this.errors.find((e) => e.path === path)?.message;
  }
}

export interface HttpOptions {
  /** The bearer token of the signed-in identity, if any. */
  readonly token: () => string | undefined;
  /** Called once per 401 on an authenticated request: the session has ended (expired or revoked). */
  readonly unauthenticated: () => void;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problemOf(status: number, body: unknown, fallback: string): ApiError {
  if (isRecord(body) && typeof body['code'] === 'string') {
    const errors = Array.isArray(body['errors'])
      ? body['errors']
          .filter(isRecord)
          .map((e) => ({ path: String(e['path']), message: String(e['message']) }))
      : [];
    const detail = typeof body['detail'] === 'string' ? body['detail'] : fallback;
    return new ApiError(status, body['code'], detail, errors);
  }
  return new ApiError(status, status >= 500 ? 'INTERNAL' : 'HTTP_ERROR', fallback);
}

/** JSON over fetch against the hub this app was served by. Every failure is an ApiError. */
export class Http {
  readonly #options: HttpOptions;

  constructor(options: HttpOptions) {
    this.#options = options;
  }

  async request(
    method: Method,
    path: string,
    body?: unknown,
    extra?: Readonly<Record<string, string>>,
  ): Promise<unknown> {
    const text = await this.#send(method, path, body, 'application/json', extra);
    try {
      return text === '' ? undefined : JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  /** Sends a file as `application/octet-stream` (a firmware binary); answers the JSON reply. */
  async upload(method: Method, path: string, file: Blob): Promise<unknown> {
    const text = await this.#send(method, path, file, 'application/json');
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  /** A text answer (CSV), with the same authentication and errors as JSON requests. */
  text(path: string, accept: string): Promise<string> {
    return this.#send('GET', path, undefined, accept);
  }

  async #send(
    method: Method,
    path: string,
    body: unknown,
    accept: string,
    extra?: Readonly<Record<string, string>>,
  ): Promise<string> {
    const headers: Record<string, string> = { ...extra, accept };
    const token = this.#options.token();
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const binary = body instanceof Blob;
    if (body !== undefined)
      headers['content-type'] = binary ? 'application/octet-stream' : 'application/json';
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        ...(body !== undefined ? { body: binary ? body : JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The hub cannot be reached. Check your connection.');
    }
    const text = await res.text();
    if (res.ok) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.status === 401 && token !== undefined) this.#options.unauthenticated();
    throw problemOf(res.status, parsed, `${method} ${path} failed with HTTP ${res.status}`);
  }

  get(path: string): Promise<unknown> {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown): Promise<unknown> {
    return this.request('POST', path, body);
  }

  put(path: string, body: unknown): Promise<unknown> {
    return this.request('PUT', path, body);
  }

  patch(path: string, body: unknown): Promise<unknown> {
    return this.request('PATCH', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }

  /**
   * Every item of a list route, whatever its shape: a bare array, `{ items, next }` (following
   * `next` page by page), or today's `{ [legacyKey]: [...] }`.
   */
  list(path: string, legacyKey?: string): Promise<unknown[]> {
    return collectPages(path, (p) => this.get(p), legacyKey);
  }
}
