import { useId, useState } from 'preact/hooks';
import { ErrorNote, Notice } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { ago } from '../ui/time.js';
import type { ConsolePost, QueuedPost } from './community-api.js';
import { ConsoleOnly } from './guard.js';
import { useCommunityConsoleApi, votesText } from './partner-community.js';

/** One reason input and the buttons that use it (hide, dismiss; restore). */
function ReasonForm({
  label,
  required,
  actions,
}: {
  label: string;
  required: boolean;
  actions: ReadonlyArray<{ name: string; secondary?: boolean; run: (reason: string) => Promise<boolean> }>;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label for={id}>{label}</label>
        <input
          id={id}
          type="text"
          maxLength={500}
          required={required}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      {actions.map((a) => (
        <button
          key={a.name}
          type="submit"
          class={a.secondary ? 'secondary' : undefined}
          disabled={busy || (required && reason.trim() === '')}
          onClick={() => {
            setBusy(true);
            void a.run(reason.trim()).then((ok) => {
              setBusy(false);
              if (ok) setReason('');
            });
          }}
        >
          {a.name}
        </button>
      ))}
    </form>
  );
}

function Queued({ item, onDone }: { item: QueuedPost; onDone: (note: string) => void }) {
  const api = useCommunityConsoleApi();
  const { post, reports } = item;
  const hide = useAction(async (reason: string) => {
    await api.hide(post.id, reason);
    onDone(`“${post.title}” is hidden: ${reason}`);
  });
  const dismiss = useAction(async (reason: string) => {
    const n = await api.dismiss(post.id, reason);
    onDone(`${n} report(s) of “${post.title}” dismissed; the post stays.`);
  });
  return (
    <li class="queued" data-post={post.id}>
      <div class="stack">
        <p>
          <strong>{post.title}</strong> <span class="badge">{post.kind}</span>{' '}
          <span class="badge">
            {reports.open} {reports.open === 1 ? 'report' : 'reports'}
          </span>
        </p>
        <p class="muted">{post.body}</p>
        <p class="hint">
          {post.modelId} · {votesText(post)} · last reported {ago(reports.lastAt)}
        </p>
        <ul class="reasons">
          {reports.reasons.map((r) => (
            <li key={`${r.at}-${r.reason}`}>“{r.reason}”</li>
          ))}
        </ul>
        <ReasonForm
          label={`Reason for “${post.title}”`}
          required
          actions={[
            { name: 'Hide post', run: (r) => hide.run(r) },
            { name: 'Dismiss reports', secondary: true, run: (r) => dismiss.run(r) },
          ]}
        />
        <ErrorNote error={hide.error ?? dismiss.error} />
      </div>
    </li>
  );
}

function Hidden({ post, onDone }: { post: ConsolePost; onDone: (note: string) => void }) {
  const api = useCommunityConsoleApi();
  const restore = useAction(async (reason: string) => {
    await api.restore(post.id, reason);
    onDone(`“${post.title}” is shown again.`);
  });
  return (
    <li class="hidden-post" data-post={post.id}>
      <div class="stack">
        <p>
          <strong>{post.title}</strong> <span class="badge">hidden: {post.hidden?.reason}</span>
        </p>
        <p class="hint">
          {post.modelId} · hidden {post.hidden ? ago(post.hidden.at) : ''}
        </p>
        <ReasonForm
          label={`Why restore “${post.title}” (optional)`}
          required={false}
          actions={[{ name: 'Restore', secondary: true, run: (r) => restore.run(r) }]}
        />
        <ErrorNote error={restore.error} />
      </div>
    </li>
  );
}

/**
 * The moderation queue (docs/community.md "Reports and the moderation queue"): posts users
 * reported, most reported first; hide one with a reason or dismiss its reports; restore hidden
 * posts. The hub scopes both lists: a partner sees its models' posts, the operator every model's.
 */
function Moderation({ scope }: { scope: string }) {
  const api = useCommunityConsoleApi();
  const [done, setDone] = useState<string | undefined>(undefined);
  const queue = useLoad(() => api.queue(), [api]);
  const hidden = useLoad(() => api.posts({ sort: 'new', hidden: true }), [api]);
  const changed = (note: string) => {
    setDone(note);
    queue.reload();
    hidden.reload();
  };
  return (
    <section class="page">
      <h1>Moderation</h1>
      <p class="muted">Posts owners reported on {scope}. Hiding answers every report of the post.</p>
      {done && <Notice>{done}</Notice>}
      <section class="panel">
        <h2>Reported posts</h2>
        <ErrorNote error={queue.error} />
        {queue.data?.length === 0 && <p class="muted">Nothing reported: the queue is empty.</p>}
        <ul class="plain-list">
          {(queue.data ?? []).map((item) => (
            <Queued key={item.post.id} item={item} onDone={changed} />
          ))}
        </ul>
        <button type="button" class="secondary" onClick={() => queue.reload()}>
          Refresh
        </button>
      </section>
      <section class="panel">
        <h2>Hidden posts</h2>
        <ErrorNote error={hidden.error} />
        {hidden.data?.length === 0 && <p class="muted">No hidden post.</p>}
        <ul class="plain-list">
          {(hidden.data ?? []).map((post) => (
            <Hidden key={post.id} post={post} onDone={changed} />
          ))}
        </ul>
      </section>
    </section>
  );
}

export function OperatorModerationPage() {
  return (
    <ConsoleOnly kind="operator">
      <Moderation scope="every model" />
    </ConsoleOnly>
  );
}

export function PartnerModerationPage() {
  return (
    <ConsoleOnly kind="partner">
      <Moderation scope="your models" />
    </ConsoleOnly>
  );
}
