import { useState } from 'preact/hooks';
import type { Post, PostSort } from '../api/community.js';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';

const STATUS_LABEL: Record<Post['status'], string> = {
  open: 'open',
  planned: 'planned',
  'in-beta': 'in beta',
  shipped: 'shipped',
  declined: 'declined',
  duplicate: 'duplicate',
};

/**
 * Co-creation for owners (docs/community.md): the posts about the models of your devices, ranked by
 * votes of verified owners; vote, post an idea or a bug; your inbox of answers.
 */
export function CommunityPage() {
  const { api } = useApp();
  const devices = useLoad(() => api.devices(), [api]);
  const models = [...new Set((devices.data ?? []).map((d) => d.modelId))].sort();
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const modelId = chosen ?? models[0];
  return (
    <section class="page narrow">
      <h1>Community</h1>
      <p class="muted">
        Ideas and bugs about the models you own, ranked by the votes of people who own one too. The maker
        answers with firmware releases, and you hear when they reach your device.
      </p>
      <ErrorNote error={devices.error} />
      {devices.data && models.length === 0 && <p>Add a device to take part in its model’s community.</p>}
      {models.length > 1 && (
        <div class="field">
          <label for="community-model">Model</label>
          <select id="community-model" value={modelId} onChange={(e) => setChosen(e.currentTarget.value)}>
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      )}
      {modelId !== undefined && <ModelPosts key={modelId} modelId={modelId} />}
      <Inbox />
    </section>
  );
}

function ModelPosts({ modelId }: { modelId: string }) {
  const { api } = useApp();
  const [sort, setSort] = useState<PostSort>('top');
  const posts = useLoad(() => api.community.posts(modelId, sort), [api, modelId, sort]);
  const vote = useAction(async (post: Post) => {
    await api.community.vote(post.id, !post.voted);
    posts.reload();
  });
  return (
    <>
      <div class="card stack">
        <h2>Posts about {modelId}</h2>
        <div class="field">
          <label for="community-sort">Order</label>
          <select
            id="community-sort"
            value={sort}
            onChange={(e) => setSort(e.currentTarget.value as PostSort)}
          >
            <option value="top">Most votes from owners</option>
            <option value="trending">Trending this week</option>
            <option value="new">Newest</option>
          </select>
        </div>
        <ErrorNote error={posts.error ?? vote.error} />
        {posts.data && posts.data.length === 0 && <p>No posts yet: be the first.</p>}
        {posts.data && posts.data.length > 0 && (
          <ul class="plain-list">
            {posts.data.map((post) => (
              <li key={post.id} class="post">
                <div>
                  <strong>{post.title}</strong> <span class="badge">{post.kind}</span>{' '}
                  <span class="badge">{STATUS_LABEL[post.status]}</span>
                  <p class="muted">{post.body}</p>
                  <p class="hint">
                    {post.votes.verified} owner {post.votes.verified === 1 ? 'vote' : 'votes'}
                    {post.votes.total > post.votes.verified
                      ? ` (+${post.votes.total - post.votes.verified} past owners)`
                      : ''}
                    {post.votes.last7Days > 0 ? `, ${post.votes.last7Days} this week` : ''}
                  </p>
                  {!post.mine && <Report post={post} />}
                </div>
                {!post.locked && post.status !== 'duplicate' && (
                  <button
                    type="button"
                    disabled={vote.busy}
                    aria-pressed={post.voted}
                    onClick={() => void vote.run(post)}
                  >
                    {post.voted ? 'Withdraw vote' : 'Vote'}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      <NewPost modelId={modelId} onPosted={() => posts.reload()} />
    </>
  );
}

/** Flags a post for the maker's and the hub's moderators, with a reason. */
function Report({ post }: { post: Post }) {
  const { api } = useApp();
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState(false);
  const report = useAction(async () => {
    await api.community.report(post.id, reason.trim());
    setSent(true);
  });
  if (sent) return <p class="hint">Reported: moderators will look at it.</p>;
  return (
    <details class="report">
      <summary>Report “{post.title}”</summary>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void report.run();
        }}
      >
        <Field
          label="What is wrong with it"
          required
          maxLength={500}
          value={reason}
          onValue={setReason}
          error={fieldError(report.error, '/reason')}
        />
        <button type="submit" class="secondary" disabled={report.busy || reason.trim() === ''}>
          Send report
        </button>
      </form>
      <ErrorNote error={report.error} />
    </details>
  );
}

function NewPost({ modelId, onPosted }: { modelId: string; onPosted: () => void }) {
  const { api } = useApp();
  const [kind, setKind] = useState<'idea' | 'bug'>('idea');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const create = useAction(async () => {
    await api.community.create(modelId, { kind, title: title.trim(), body: body.trim() });
    setTitle('');
    setBody('');
    onPosted();
  });
  return (
    <form
      class="stack card"
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <h2>New post</h2>
      <div class="field">
        <label for="community-kind">Kind</label>
        <select
          id="community-kind"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as 'idea' | 'bug')}
        >
          <option value="idea">Idea</option>
          <option value="bug">Bug</option>
        </select>
      </div>
      <Field
        label="Title"
        required
        maxLength={120}
        value={title}
        onValue={setTitle}
        error={fieldError(create.error, '/title')}
      />
      <div class="field">
        <label for="community-body">What and why</label>
        <textarea
          id="community-body"
          required
          maxLength={10000}
          rows={4}
          value={body}
          onInput={(e) => setBody(e.currentTarget.value)}
        />
      </div>
      <ErrorNote error={create.error} />
      <Submit busy={create.busy}>Post</Submit>
    </form>
  );
}

function Inbox() {
  const { api } = useApp();
  const inbox = useLoad(() => api.community.inbox(), [api]);
  const read = useAction(async (id: string) => {
    await api.community.markRead(id);
    inbox.reload();
  });
  return (
    <div class="card stack">
      <h2>Answers{inbox.data && inbox.data.unread > 0 ? ` (${inbox.data.unread} new)` : ''}</h2>
      <ErrorNote error={inbox.error ?? read.error} />
      {inbox.data && inbox.data.items.length === 0 && (
        <p class="muted">Nothing yet. Votes you cast are answered here.</p>
      )}
      {inbox.data && inbox.data.items.length > 0 && (
        <ul class="plain-list">
          {inbox.data.items.map((n) => (
            <li key={n.id} class="notice">
              <div>
                <strong>{n.title}</strong>
                <p class="muted">{n.message}</p>
              </div>
              {n.readAt === null && (
                <button type="button" onClick={() => void read.run(n.id)}>
                  Mark read
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="secondary" onClick={() => inbox.reload()}>
        Refresh
      </button>
    </div>
  );
}
