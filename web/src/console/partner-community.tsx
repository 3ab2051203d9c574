import { useId, useMemo, useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError, Notice } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import {
  CommunityConsoleApi,
  type ConsolePost,
  SETTABLE_STATUSES,
  type SettableStatus,
  STATUS_LABEL,
} from './community-api.js';
import { ConsoleOnly } from './guard.js';

export function useCommunityConsoleApi(): CommunityConsoleApi {
  const { consoleApi } = useApp();
  return useMemo(() => new CommunityConsoleApi(consoleApi.http), [consoleApi]);
}

/** Votes as a partner should read them: verified owners first, then the rest and the week's. */
export function votesText(post: ConsolePost): string {
  const { verified, total, last7Days } = post.votes;
  const past = total - verified;
  return (
    `${verified} owner ${verified === 1 ? 'vote' : 'votes'}` +
    (past > 0 ? ` (+${past} from past owners)` : '') +
    (last7Days > 0 ? `, ${last7Days} this week` : '')
  );
}

/** Set the status with a note to every voter, link a firmware release, answer officially. */
function Answer({ post, onChanged }: { post: ConsolePost; onChanged: (note: string) => void }) {
  const api = useCommunityConsoleApi();
  const id = useId();
  const [status, setStatus] = useState<SettableStatus>(post.status === 'duplicate' ? 'open' : post.status);
  const [note, setNote] = useState('');
  const [releaseId, setReleaseId] = useState('');
  const [reply, setReply] = useState('');
  const releases = useLoad(() => api.releases(post.modelId), [api, post.modelId]);
  const links = useLoad(() => api.links(post.id), [api, post.id]);
  const save = useAction(async () => {
    await api.setStatus(post.id, status, note.trim());
    setNote('');
    onChanged(`“${post.title}” is ${STATUS_LABEL[status]}; its voters are told.`);
  });
  const link = useAction(async () => {
    await api.link(releaseId, post.id);
    links.reload();
    const version = releases.data?.find((r) => r.id === releaseId)?.version ?? releaseId;
    onChanged(`“${post.title}” is linked to firmware ${version}; voters hear as it reaches beta and stable.`);
  });
  const answer = useAction(async () => {
    await api.reply(post.id, reply.trim());
    setReply('');
    onChanged(`Your answer to “${post.title}” is posted; its author is told.`);
  });
  if (post.status === 'duplicate') return <p class="hint">Merged into another post: answer there.</p>;
  return (
    <details class="answer">
      <summary>Answer “{post.title}”</summary>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <div class="field">
          <label for={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value as SettableStatus)}
          >
            {SETTABLE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <Field
          label="Note to voters (optional)"
          value={note}
          onValue={setNote}
          maxLength={1000}
          error={fieldError(save.error, '/note')}
        />
        <button type="submit" disabled={save.busy}>
          Set status
        </button>
      </form>
      <ErrorNote error={save.error} />
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (releaseId !== '') void link.run();
        }}
      >
        <div class="field">
          <label for={`${id}-release`}>Firmware release that addresses it</label>
          <select
            id={`${id}-release`}
            value={releaseId}
            onChange={(e) => setReleaseId(e.currentTarget.value)}
          >
            <option value="">Choose a release…</option>
            {(releases.data ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.version} ({r.channel === 'none' ? r.state : r.channel})
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={link.busy || releaseId === ''}>
          Link release
        </button>
      </form>
      {releases.data?.length === 0 && (
        <p class="hint">No firmware release of {post.modelId} yet (docs/ota.md).</p>
      )}
      {links.data && links.data.length > 0 && (
        <p class="hint" data-links={post.id}>
          Addressed by firmware {links.data.map((l) => l.version).join(', ')}
        </p>
      )}
      <ErrorNote error={link.error ?? releases.error ?? links.error} />
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void answer.run();
        }}
      >
        <div class="field">
          <label for={`${id}-reply`}>Official answer</label>
          <textarea
            id={`${id}-reply`}
            rows={2}
            maxLength={5000}
            value={reply}
            onInput={(e) => setReply(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="secondary" disabled={answer.busy || reply.trim() === ''}>
          Post answer
        </button>
      </form>
      <ErrorNote error={answer.error} />
    </details>
  );
}

function Community({ partnerId }: { partnerId: string }) {
  const api = useCommunityConsoleApi();
  const { consoleApi } = useApp();
  const [modelId, setModelId] = useState('');
  const [sort, setSort] = useState<'top' | 'trending' | 'new'>('top');
  const [done, setDone] = useState<string | undefined>(undefined);
  const models = useLoad(
    () => consoleApi.models(`?partnerId=${encodeURIComponent(partnerId)}`),
    [consoleApi, partnerId],
  );
  const posts = useLoad(
    () => api.posts({ sort, ...(modelId === '' ? {} : { modelId }) }),
    [api, modelId, sort],
  );
  return (
    <section class="page">
      <h1>Community</h1>
      <p class="muted">
        What owners of your models ask for, ranked by the votes of people the hub knows own one. Answer with a
        status, a firmware release that addresses it, or a word: every voter hears back.
      </p>
      {done && <Notice>{done}</Notice>}
      <div class="inline-form">
        <div class="field">
          <label for="community-model">Model</label>
          <select id="community-model" value={modelId} onChange={(e) => setModelId(e.currentTarget.value)}>
            <option value="">All your models</option>
            {(models.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="community-order">Order</label>
          <select
            id="community-order"
            value={sort}
            onChange={(e) => setSort(e.currentTarget.value as 'top' | 'trending' | 'new')}
          >
            <option value="top">Most votes from owners</option>
            <option value="trending">Trending this week</option>
            <option value="new">Newest</option>
          </select>
        </div>
      </div>
      <ErrorNote error={posts.error ?? models.error} />
      {posts.data?.length === 0 && <p>No posts about your models yet.</p>}
      <ul class="plain-list posts">
        {(posts.data ?? []).map((post) => (
          <li key={post.id} class="post" data-post={post.id}>
            <div class="stack">
              <p>
                <strong>{post.title}</strong> <span class="badge">{post.kind}</span>{' '}
                <span class="badge" data-status={post.status}>
                  {STATUS_LABEL[post.status]}
                </span>
                {post.locked && <span class="badge">locked</span>}
                {post.hidden && <span class="badge">hidden: {post.hidden.reason}</span>}
              </p>
              <p class="muted">{post.body}</p>
              <p class="hint">
                {post.modelId} · {votesText(post)}
              </p>
              <Answer
                post={post}
                onChanged={(note) => {
                  setDone(note);
                  posts.reload();
                }}
              />
            </div>
          </li>
        ))}
      </ul>
      <p class="muted">
        Reported posts are in <a href="/partner/moderation">Moderation</a>.
      </p>
    </section>
  );
}

export function PartnerCommunityPage() {
  const { console: session } = useApp();
  return (
    <ConsoleOnly kind="partner">
      {session?.kind === 'partner' && <Community partnerId={session.partner.id} />}
    </ConsoleOnly>
  );
}
