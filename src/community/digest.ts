import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { CommunityContext } from './context.js';
import * as events from './store-events.js';
import * as votes from './store-votes.js';

export const WEEK_MS = 7 * 86_400_000;
/** Events one digest lists (the counts are exact past it). */
export const DIGEST_MAX_EVENTS = 5000;

export interface DigestEntry {
  readonly at: string;
  readonly postId: string;
  readonly kind: events.PostEventKind;
  readonly fromStatus: string | null;
  readonly toStatus: string | null;
  readonly note: string | null;
}

export interface Digest {
  readonly modelId: string;
  readonly from: string;
  readonly to: string;
  readonly newPosts: number;
  readonly votes: number;
  readonly statusChanges: number;
  readonly releasesLinked: number;
  readonly entries: DigestEntry[];
  readonly truncated: boolean;
}

/** The start (Monday 00:00 UTC) of the week holding `ms`. */
export function weekStart(ms: number): number {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
}

/** A model's week: new posts, votes, status changes and release links (partner of the model, operator). */
export async function weeklyDigest(
  c: CommunityContext,
  caller: Identity,
  modelId: string,
  week: number | undefined,
): Promise<Digest> {
  const partnerId = await c.registry.partnerOf(modelId);
  if (
    partnerId === undefined ||
    caller.kind === 'user' ||
    (caller.kind === 'partner' && caller.partnerId !== partnerId)
  ) {
    throw new HubError('NOT_FOUND', `model ${modelId} not found`);
  }
  const from = weekStart(week ?? c.now());
  const to = from + WEEK_MS;
  const rows = await events.modelEventsBetween(c.store, modelId, from, to, DIGEST_MAX_EVENTS + 1);
  const shown = rows.slice(0, DIGEST_MAX_EVENTS);
  return {
    modelId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    newPosts: shown.filter((r) => r.kind === 'created').length,
    votes: await votes.countVotesBetween(c.store, modelId, from, to),
    statusChanges: shown.filter((r) => r.kind === 'status' || r.kind === 'merged').length,
    releasesLinked: shown.filter((r) => r.kind === 'release-linked').length,
    entries: shown.map((r) => ({
      at: new Date(r.at).toISOString(),
      postId: r.post_id,
      kind: r.kind,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      note: r.note,
    })),
    truncated: rows.length > DIGEST_MAX_EVENTS,
  };
}

export function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  // Cells a spreadsheet would run as a formula are prefixed with a quote (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The digest as CSV: a header of totals as comments, then one line per event. */
export function digestCsv(d: Digest): string {
  const lines = [
    `# model ${d.modelId}, ${d.from} to ${d.to}: ${d.newPosts} new posts, ${d.votes} votes, ` +
      `${d.statusChanges} status changes, ${d.releasesLinked} release links${d.truncated ? ' (events truncated)' : ''}`,
    'at,post_id,kind,from_status,to_status,note',
    ...d.entries.map((e) =>
      [e.at, e.postId, e.kind, e.fromStatus, e.toStatus, e.note].map(csvCell).join(','),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
