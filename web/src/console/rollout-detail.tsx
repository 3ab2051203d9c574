import { useEffect } from 'preact/hooks';
import { ErrorNote } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { clock } from '../ui/time.js';
import '../ui/firmware.css';
import type { Rollout, RolloutAction, StageProgress } from './firmware-api.js';
import { useFirmwareApi } from './firmware-fields.js';
import { ConsoleOnly } from './guard.js';

/** How often a live rollout's figures are read again (the console has no MQTT session). */
const RELOAD_MS = 2000;

function pct(n: number, of: number): string {
  return of <= 0 ? '0%' : `${Math.min(100, (100 * n) / of)}%`;
}

/** One stage as a stacked bar: succeeded, failed, in progress, retrying, then what is still to come. */
function StageBar({ s }: { s: StageProgress }) {
  const of = Math.max(s.planned, s.targeted);
  const text =
    `${s.label}: ${s.succeeded} of ${s.planned} updated, ${s.failed} failed, ${s.inProgress} in progress` +
    (s.retrying > 0 ? `, ${s.retrying} waiting to retry` : '') +
    (s.cancelled > 0 ? `, ${s.cancelled} cancelled` : '');
  return (
    <li data-stage={s.stage} data-status={s.status}>
      <strong>
        Stage {s.stage + 1} · {s.label}
      </strong>{' '}
      <span class="muted">
        {s.status === 'current' ? '(current)' : s.status === 'done' ? '(done)' : '(waiting)'}
      </span>
      <div class="stage-bar" role="img" aria-label={text}>
        <span class="succeeded" style={{ width: pct(s.succeeded, of) }} />
        <span class="failed" style={{ width: pct(s.failed, of) }} />
        <span class="in-progress" style={{ width: pct(s.inProgress, of) }} />
        <span class="retrying" style={{ width: pct(s.retrying, of) }} />
      </div>
      <p class="muted" data-stage-figures>
        {s.targeted} of {s.planned} targeted · {s.succeeded} updated · {s.failed} failed · {s.inProgress} in
        progress
      </p>
    </li>
  );
}

const ACTIONS: Record<Rollout['state'], RolloutAction[]> = {
  scheduled: ['pause', 'cancel'],
  running: ['pause', 'promote', 'cancel'],
  paused: ['resume', 'promote', 'cancel'],
  completed: [],
  cancelled: [],
};

const LABELS: Record<RolloutAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  promote: 'Start the next stage now',
  cancel: 'Cancel the rollout',
};

function RolloutDetail({ rolloutId }: { rolloutId: string }) {
  const api = useFirmwareApi();
  const data = useLoad(
    async () => ({ rollout: await api.rollout(rolloutId), stages: await api.stages(rolloutId) }),
    [api, rolloutId],
  );
  const r = data.data?.rollout;
  const live = r !== undefined && r.state !== 'completed' && r.state !== 'cancelled';
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => data.reload(), RELOAD_MS);
    return () => clearInterval(timer);
  }, [live, data.reload]);
  const act = useAction(async (action: RolloutAction) => {
    if (action === 'cancel' && !window.confirm('Cancel this rollout? Updates not finished are withdrawn.'))
      return;
    await api.act(rolloutId, action);
    data.reload();
  });
  const failed = r
    ? (r.counts['failed'] ?? 0) + (r.counts['timed_out'] ?? 0) + (r.counts['rejected'] ?? 0)
    : 0;
  const halted = r?.state === 'paused' && r.haltReason !== null && !r.haltReason.startsWith('paused by ');
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/partner/firmware">Firmware</a>
      </p>
      <h1>Rollout {r ? `of ${r.version}` : ''}</h1>
      <ErrorNote error={data.error} />
      {r && (
        <div class="stack" aria-live="polite">
          <p>
            <span class={`state ${r.state}`} data-rollout-state>
              {halted ? 'halted' : r.state}
            </span>{' '}
            {r.modelId} · target {String(r.target['kind'])}
            {r.rollback ? ' · rollback' : ''} · stage {r.stage + 1} of {r.stages} · created{' '}
            {clock(r.createdAt)} by {r.createdBy}
            {r.state === 'scheduled' ? ` · starts ${clock(r.startAt)}` : ''}
          </p>
          {r.haltReason && (
            <p class={halted ? 'halt-note' : 'muted'} role={halted ? 'alert' : undefined} data-halt-reason>
              {halted ? 'Halted itself: ' : ''}
              {r.haltReason}
              {r.haltedAt ? ` (${clock(r.haltedAt)})` : ''}
            </p>
          )}
          <p data-rollout-totals>
            {r.counts['succeeded'] ?? 0} of {r.counts['total'] ?? 0} devices updated · {failed} failed ·{' '}
            {(r.counts['offered'] ?? 0) + (r.counts['in_progress'] ?? 0)} in progress ·{' '}
            {r.counts['queued'] ?? 0} waiting
          </p>
          <div class="button-row">
            {ACTIONS[r.state].map((a) => (
              <button
                type="button"
                key={a}
                class={a === 'resume' ? 'primary' : undefined}
                disabled={act.busy || (a === 'promote' && r.stage + 1 >= r.stages)}
                onClick={() => void act.run(a)}
              >
                {LABELS[a]}
              </button>
            ))}
          </div>
          <ErrorNote error={act.error} />
          <h2>Stages</h2>
          <ol class="stages">
            {(data.data?.stages ?? []).map((s) => (
              <StageBar key={s.stage} s={s} />
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

export function PartnerRolloutPage({ params }: { params: Record<string, string> }) {
  return (
    <ConsoleOnly kind="partner">
      <RolloutDetail rolloutId={params['rolloutId'] ?? ''} />
    </ConsoleOnly>
  );
}
