import { isRecord } from '../api/decode.js';

export type PhoneCommand =
  | { readonly did: string; readonly op: 'set'; readonly props: Readonly<Record<string, unknown>> }
  | { readonly did: string; readonly op: 'get'; readonly props: readonly string[] }
  | { readonly did: string; readonly op: 'action'; readonly action: string; readonly in: readonly unknown[] };

export type CommandResult =
  | { readonly status: 'ok'; readonly data: unknown }
  | { readonly status: 'queued'; readonly desired: Readonly<Record<string, unknown>> }
  | {
      readonly status: 'error';
      readonly code: string;
      readonly message: string;
      readonly deviceCode?: string;
    };

export interface CommandTrackerOptions {
  /** Publishes on `app/{uid}/cmd`; false when the link is down (sent again on reconnect). */
  readonly publish: (body: unknown) => boolean;
  /**
   * The hub answers every command it received (a device timeout included), so this only bounds a
   * command whose reply was lost with the link and never re-sent. Longer than any hub timeout.
   */
  readonly timeoutMs?: number;
  readonly maxPending?: number;
}

interface Entry {
  readonly body: Readonly<Record<string, unknown>>;
  readonly settle: (result: CommandResult) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Reads one message of `app/{uid}/replies`; undefined when it is not a reply. */
export function readReply(body: unknown): { id: string; result: CommandResult } | undefined {
  if (!isRecord(body) || typeof body['id'] !== 'string') return undefined;
  const id = body['id'];
  if (body['status'] === 'ok') return { id, result: { status: 'ok', data: body['data'] } };
  if (body['status'] === 'queued') {
    const data = isRecord(body['data']) ? body['data'] : {};
    return { id, result: { status: 'queued', desired: isRecord(data['desired']) ? data['desired'] : {} } };
  }
  if (body['status'] === 'error') {
    const error = isRecord(body['error']) ? body['error'] : {};
    return {
      id,
      result: {
        status: 'error',
        code: typeof error['code'] === 'string' ? error['code'] : 'INTERNAL',
        message: typeof error['message'] === 'string' ? error['message'] : 'the command failed',
        ...(typeof error['deviceCode'] === 'string' ? { deviceCode: error['deviceCode'] } : {}),
      },
    };
  }
  return undefined;
}

/**
 * Commands from this app and their replies: exactly one result per command. A command whose link
 * dropped before its reply is published again with the same id once the link is back; the hub
 * answers a repeated id with its first reply and never commands the device twice.
 */
export class CommandTracker {
  readonly #o: CommandTrackerOptions;
  readonly #pending = new Map<string, Entry>();
  readonly #prefix = crypto.randomUUID().replaceAll('-', '').slice(0, 10);
  #counter = 0;

  constructor(options: CommandTrackerOptions) {
    this.#o = options;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  send(command: PhoneCommand): { id: string; result: Promise<CommandResult> } {
    const id = `web-${this.#prefix}-${++this.#counter}`;
    const body = { id, ...command };
    const result = new Promise<CommandResult>((resolve) => {
      if (this.#pending.size >= (this.#o.maxPending ?? 256)) {
        resolve({
          status: 'error',
          code: 'RATE_LIMITED',
          message: 'too many commands are waiting for an answer',
        });
        return;
      }
      const timer = setTimeout(
        () => this.#settle(id, { status: 'error', code: 'NO_REPLY', message: 'no answer from the hub' }),
        this.#o.timeoutMs ?? 120_000,
      );
      this.#pending.set(id, { body, settle: resolve, timer });
    });
    if (this.#pending.has(id)) this.#o.publish(body);
    return { id, result };
  }

  /** A message on `app/{uid}/replies`. Replies to unknown or settled ids are ignored. */
  onReply(body: unknown): void {
    const reply = readReply(body);
    if (reply !== undefined) this.#settle(reply.id, reply.result);
  }

  /** The link is back: publish every command still waiting, under its own id. */
  resend(): void {
    for (const entry of this.#pending.values()) this.#o.publish(entry.body);
  }

  /** Ends every waiting command (sign-out). */
  failAll(code: string, message: string): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, { status: 'error', code, message });
  }

  #settle(id: string, result: CommandResult): void {
    const entry = this.#pending.get(id);
    if (entry === undefined) return;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    entry.settle(result);
  }
}
