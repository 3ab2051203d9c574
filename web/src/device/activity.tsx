import type { ActivityEntry } from '../live/device-live.js';
import { clock } from '../ui/time.js';

const SYMBOL: Record<ActivityEntry['status'], string> = { pending: '…', ok: '✓', queued: '○', error: '✕' };

/** This session's commands to the device, one row each, from pending to its one result. */
export function ActivityList({ entries }: { entries: readonly ActivityEntry[] }) {
  if (entries.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent commands</h2>
      <ol class="activity">
        {entries.map((entry) => (
          <li key={entry.id} class={entry.status} data-command={entry.id} data-status={entry.status}>
            <span class="symbol" aria-hidden="true">
              {SYMBOL[entry.status]}
            </span>
            <span class="what">{entry.label}</span>
            <span class="result">{entry.detail}</span>
            <time dateTime={new Date(entry.at).toISOString()}>{clock(entry.at)}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}
