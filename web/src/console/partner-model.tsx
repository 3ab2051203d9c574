import { useEffect, useId, useState } from 'preact/hooks';
import { ApiError } from '../api/http.js';
import { useApp } from '../app.js';
import { ErrorNote } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';
import { clock } from '../ui/time.js';
import type { VersionStep } from './api.js';
import { ConsoleOnly } from './guard.js';
import { latestVersion } from './partner-models.js';
import { addOnlyBreaks, asModelSpec, versionDiff } from './spec-diff.js';
import { findingOf, SpecOutline } from './spec-outline.js';
import type { Finding, Model, Version, VersionSummary } from './types.js';

/** The lifecycle step a partner can take from each state (docs/models.md). */
const NEXT_STEP: Partial<Record<VersionSummary['state'], { step: VersionStep; label: string }>> = {
  draft: { step: 'submit', label: 'Submit for certification' },
  certified: { step: 'publish', label: 'Publish' },
  published: { step: 'retire', label: 'Retire' },
};

function Diff({ model, version }: { model: Model; version: Version }) {
  const { consoleApi } = useApp();
  const previous = useLoad(
    () =>
      version.version > 1 ? consoleApi.version(model.id, version.version - 1) : Promise.resolve(undefined),
    [consoleApi, model.id, version.version],
  );
  if (version.version === 1) return <p class="muted">Version 1: nothing to compare with.</p>;
  if (previous.error) return <ErrorNote error={previous.error} />;
  if (previous.data === undefined) return <p class="muted">Loading version {version.version - 1}…</p>;
  const before = asModelSpec(previous.data.document);
  const after = asModelSpec(version.document);
  if (!before || !after)
    return <p class="muted">This draft is not a valid document yet; fix its errors to see the changes.</p>;
  const entries = versionDiff(before, after);
  const breaks = addOnlyBreaks(before, after);
  return (
    <div class="stack">
      {entries.length === 0 ? (
        <p class="muted">No changes from version {version.version - 1}.</p>
      ) : (
        <ul class="diff">
          {entries.map((e) => (
            <li key={`${e.kind}${e.what}`} class={e.kind} data-diff={e.kind}>
              <span class="sign" aria-hidden="true">
                {e.kind === 'added' ? '+' : e.kind === 'removed' ? '−' : '~'}
              </span>
              <span class="visually-hidden">{e.kind}</span> <strong>{e.what}</strong>{' '}
              <span class="muted">{e.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {breaks.length === 0 ? (
        <p class="ok-note">Only adds to version {version.version - 1}: the add-only rule holds.</p>
      ) : (
        <div class="error-note" role="note">
          <p>Refused on submit by the add-only rule (devices and apps in the field rely on these):</p>
          <ul>
            {breaks.map((b) => (
              <li key={b.path + b.message}>
                <code>{b.path}</code> {b.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function DraftEditor({
  version,
  onSaved,
}: {
  version: Version;
  onSaved: (v: Version, errors: Finding[]) => void;
}) {
  const { consoleApi } = useApp();
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(version.document, null, 2));
  const save = useAction(async () => {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (err) {
      throw new ApiError(
        400,
        'INVALID_JSON',
        `The document is not JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    try {
      onSaved(await consoleApi.replaceDraft(version.modelId, version.version, document), []);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length > 0)
        onSaved({ ...version, document }, err.errors.map(findingOf));
      throw err;
    }
  });
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <div class="field">
        <label for={`${id}-doc`}>Draft document (JSON)</label>
        <textarea
          id={`${id}-doc`}
          class="code-input"
          rows={16}
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <ErrorNote error={save.error} />
      <button type="submit" class="primary" disabled={save.busy}>
        Save and check
      </button>
    </form>
  );
}

function VersionPanel({
  model,
  summary,
  reload,
}: {
  model: Model;
  summary: VersionSummary;
  reload: () => void;
}) {
  const { consoleApi } = useApp();
  const loaded = useLoad(
    () => consoleApi.version(model.id, summary.version),
    [consoleApi, model.id, summary.version, summary.updatedAt],
  );
  const [edited, setEdited] = useState<{ version: Version; errors: Finding[] } | undefined>(undefined);
  useEffect(() => setEdited(undefined), [summary.version]);
  const version = edited?.version ?? loaded.data;
  if (loaded.error) return <ErrorNote error={loaded.error} />;
  if (version === undefined) return <p class="muted">Loading…</p>;
  return (
    <section class="panel" aria-label={`Version ${version.version}`}>
      <h2>
        Version {version.version} <span class={`state ${version.state}`}>{version.state}</span>
      </h2>
      {version.certificationNote && (
        <p>
          Certification note: <q>{version.certificationNote}</q>
        </p>
      )}
      <h3>Lint</h3>
      <p class="muted">
        {edited?.errors.length
          ? `${edited.errors.length} errors block this draft.`
          : `${version.warnings.length} warnings${version.warnings.length ? ' (they do not block the lifecycle)' : ''}.`}
      </p>
      <SpecOutline
        document={version.document}
        errors={edited?.errors ?? []}
        warnings={edited?.errors.length ? [] : version.warnings}
      />
      <h3>Changes from the previous version</h3>
      <Diff model={model} version={version} />
      {version.state === 'draft' && (
        <>
          <h3>Edit</h3>
          <DraftEditor
            key={`${version.version}`}
            version={version}
            onSaved={(v, errors) => {
              setEdited({ version: v, errors });
              if (errors.length === 0) reload();
            }}
          />
        </>
      )}
    </section>
  );
}

function ModelPage({ modelId }: { modelId: string }) {
  const { consoleApi } = useApp();
  const model = useLoad(() => consoleApi.model(modelId), [consoleApi, modelId]);
  const selected = Number(new URLSearchParams(window.location.search).get('v') ?? '0');
  const step = useAction(async (version: number, s: VersionStep) => {
    await consoleApi.step(modelId, version, s);
    model.reload();
  });
  const start = useAction(async () => {
    const v = await consoleApi.newVersion(modelId);
    navigate(`/partner/models/${encodeURIComponent(modelId)}?v=${v.version}`);
    model.reload();
  });
  if (model.error) return <ErrorNote error={model.error} />;
  const m = model.data;
  if (m === undefined) return <p class="muted">Loading…</p>;
  const latest = latestVersion(m);
  const shown = m.versions.find((v) => v.version === selected) ?? latest;
  const canStart = latest.state === 'published' || latest.state === 'retired';
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/partner">Models</a>
      </p>
      <h1>{m.id}</h1>
      <p class="sub">
        {m.category}
        {m.parent ? ` · variant of ${m.parent}` : ''}
      </p>
      <div class="table-wrap card">
        <table>
          <caption class="visually-hidden">Versions</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">State</th>
              <th scope="col">Updated</th>
              <th scope="col">Next step</th>
            </tr>
          </thead>
          <tbody>
            {[...m.versions]
              .sort((a, b) => b.version - a.version)
              .map((v) => {
                const next = NEXT_STEP[v.state];
                return (
                  <tr
                    key={v.version}
                    data-version={v.version}
                    aria-current={v.version === shown.version ? 'true' : undefined}
                  >
                    <td>
                      <a href={`/partner/models/${encodeURIComponent(m.id)}?v=${v.version}`}>v{v.version}</a>
                    </td>
                    <td>
                      <span class={`state ${v.state}`}>{v.state}</span>
                    </td>
                    <td>{clock(v.updatedAt)}</td>
                    <td>
                      {next && (
                        <button
                          type="button"
                          class="secondary small"
                          disabled={step.busy}
                          onClick={() => void step.run(v.version, next.step)}
                        >
                          {next.label}
                        </button>
                      )}
                      {v.state === 'submitted' && <span class="muted">waiting for certification</span>}
                    </td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      </div>
      <ErrorNote error={step.error ?? start.error} />
      {canStart && (
        <button type="button" onClick={() => void start.run()} disabled={start.busy}>
          Start version {latest.version + 1}
        </button>
      )}
      <VersionPanel key={shown.version} model={m} summary={shown} reload={model.reload} />
    </section>
  );
}

export function PartnerModelPage({ params }: { params: Record<string, string> }) {
  return (
    <ConsoleOnly kind="partner">
      <ModelPage modelId={params['modelId'] ?? ''} />
    </ConsoleOnly>
  );
}
