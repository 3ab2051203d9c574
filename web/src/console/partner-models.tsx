import { useId, useState } from 'preact/hooks';
import { ApiError } from '../api/http.js';
import { useApp } from '../app.js';
import { ErrorNote, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';
import { ConsoleOnly } from './guard.js';
import { findingOf, SpecOutline } from './spec-outline.js';
import type { Model, VersionSummary } from './types.js';

/** A model's newest version (every model has at least version 1). */
export function latestVersion(model: Model): VersionSummary {
  const [first, ...rest] = model.versions;
  if (first === undefined) throw new Error(`model ${model.id} has no versions`);
  return rest.reduce((a, b) => (b.version > a.version ? b : a), first);
}

/** A new model from a pasted document; every schema and quality finding is shown on the outline. */
function NewModel() {
  const { consoleApi } = useApp();
  const id = useId();
  const [text, setText] = useState('');
  const [parsed, setParsed] = useState<unknown>(undefined);
  const create = useAction(async () => {
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
    setParsed(document);
    const version = await consoleApi.createModel(document);
    navigate(`/partner/models/${encodeURIComponent(version.modelId)}`);
  });
  const errors = create.error instanceof ApiError ? create.error.errors.map(findingOf) : [];
  return (
    <section class="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>New model</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <div class="field">
          <label for={`${id}-doc`}>Model document (JSON, see the spec docs)</label>
          <textarea
            id={`${id}-doc`}
            class="code-input"
            rows={10}
            spellcheck={false}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <ErrorNote error={create.error} />
        {errors.length > 0 && <SpecOutline document={parsed} errors={errors} warnings={[]} />}
        <Submit busy={create.busy}>Create model</Submit>
      </form>
    </section>
  );
}

export function PartnerModelsPage() {
  return (
    <ConsoleOnly kind="partner">
      <ModelList />
    </ConsoleOnly>
  );
}

function ModelList() {
  const { consoleApi } = useApp();
  const models = useLoad(() => consoleApi.models(), [consoleApi]);
  return (
    <section class="page">
      <h1>Models</h1>
      <ErrorNote error={models.error} />
      {models.data && models.data.length === 0 && (
        <p class="muted">No models yet: create the first one below.</p>
      )}
      {models.data && models.data.length > 0 && (
        <div class="table-wrap card">
          <table>
            <caption class="visually-hidden">Your models</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Category</th>
                <th scope="col">Latest version</th>
                <th scope="col">Versions</th>
              </tr>
            </thead>
            <tbody>
              {models.data.map((m) => {
                const latest = latestVersion(m);
                return (
                  <tr key={m.id} data-model={m.id}>
                    <td>
                      <a href={`/partner/models/${encodeURIComponent(m.id)}`}>{m.id}</a>
                      {m.parent && <span class="muted"> (variant of {m.parent})</span>}
                    </td>
                    <td>{m.category}</td>
                    <td>
                      v{latest.version} <span class={`state ${latest.state}`}>{latest.state}</span>
                    </td>
                    <td>{m.versions.length}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <NewModel />
    </section>
  );
}
