import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { clock } from '../ui/time.js';
import { VersionRuns } from './certification.js';
import { ConsoleOnly } from './guard.js';
import { asModelSpec } from './spec-diff.js';
import { SpecOutline } from './spec-outline.js';
import { monthOf, StatementTable } from './statements.js';

/** A submitted version: its document with warnings, and certification with a note (manual override). */
function Submitted({
  modelId,
  version,
  done,
}: {
  modelId: string;
  version: number;
  done: (text: string) => void;
}) {
  const { consoleApi } = useApp();
  const loaded = useLoad(() => consoleApi.version(modelId, version), [consoleApi, modelId, version]);
  const [note, setNote] = useState('');
  const [override, setOverride] = useState(false);
  const certify = useAction(async () => {
    await consoleApi.certify(modelId, version, note.trim(), override);
    done(`${modelId} v${version} is certified.`);
  });
  const v = loaded.data;
  return (
    <li class="card stack" data-submitted={`${modelId}@${version}`}>
      <h3>
        {modelId} v{version}
      </h3>
      {v && (
        <p class="muted">
          Submitted {v.submittedAt ? clock(v.submittedAt) : ''} · {v.warnings.length} warnings ·{' '}
          {asModelSpec(v.document)?.services.length ?? 0} services
        </p>
      )}
      <VersionRuns modelId={modelId} version={version} />
      {v && (
        <details>
          <summary>Document and warnings</summary>
          <SpecOutline document={v.document} errors={[]} warnings={v.warnings} />
        </details>
      )}
      <div class="inline-form">
        <Field
          label="Certification note (what was checked, and how)"
          maxLength={2000}
          value={note}
          onValue={setNote}
          error={fieldError(certify.error, '/note')}
        />
        <label>
          <input
            type="checkbox"
            checked={override}
            onChange={(e) => setOverride((e.target as HTMLInputElement).checked)}
          />{' '}
          Override: certify without a passing harness run (the note is the recorded reason)
        </label>
        <button
          type="button"
          class="primary"
          disabled={certify.busy || note.trim() === ''}
          onClick={() => void certify.run()}
        >
          Certify
        </button>
      </div>
      <ErrorNote error={certify.error ?? loaded.error} />
    </li>
  );
}

function Certification() {
  const { consoleApi } = useApp();
  const models = useLoad(() => consoleApi.models('?state=submitted'), [consoleApi]);
  const [result, setResult] = useState<string | undefined>(undefined);
  const queue = (models.data ?? []).flatMap((m) =>
    m.versions.filter((v) => v.state === 'submitted').map((v) => ({ modelId: m.id, version: v.version })),
  );
  return (
    <section class="page">
      <h1>Certification</h1>
      <p class="muted">
        Versions partners submitted. Certifying needs a passing certification run of the version
        (docs/certification.md); without one, tick the override and write the reason in the note.
      </p>
      {result && (
        <p class="notice" role="status">
          {result}
        </p>
      )}
      <ErrorNote error={models.error} />
      {models.data && queue.length === 0 && <p class="muted">Nothing is waiting.</p>}
      <ul class="plain-stack">
        {queue.map((q) => (
          <Submitted
            key={`${q.modelId}@${q.version}`}
            modelId={q.modelId}
            version={q.version}
            done={(text) => {
              setResult(text);
              models.reload();
            }}
          />
        ))}
      </ul>
    </section>
  );
}

/** Statements of every partner for a month, and closing an ended month. */
function Months() {
  const { consoleApi } = useApp();
  const [month, setMonth] = useState(monthOf(-1));
  const list = useLoad(() => consoleApi.monthStatements(month), [consoleApi, month]);
  const partners = useLoad(() => consoleApi.partners(), [consoleApi]);
  const [confirm, setConfirm] = useState(false);
  const close = useAction(async () => {
    await consoleApi.closeMonth(month);
    setConfirm(false);
    list.reload();
  });
  const name = (id: string) => partners.data?.find((p) => p.id === id)?.company ?? id;
  return (
    <section class="page">
      <h1>Months</h1>
      <div class="field inline">
        <label for="month">Month</label>
        <select id="month" value={month} onChange={(e) => setMonth(e.currentTarget.value)}>
          {Array.from({ length: 13 }, (_, i) => monthOf(-i)).map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        {list.data && (
          <span
            class={`state ${list.data.closed ? 'published' : 'draft'}`}
            data-month-state={list.data.closed ? 'closed' : 'open'}
          >
            {list.data.closed ? 'closed' : 'open'}
          </span>
        )}
      </div>
      <ErrorNote error={list.error ?? close.error} />
      {list.data && !list.data.closed && (
        <div class="panel stack">
          <p>
            Closing freezes every statement of {month}: later refunds and adjustments go to the next open
            month.
          </p>
          {confirm ? (
            <div class="button-row">
              <button type="button" class="danger" disabled={close.busy} onClick={() => void close.run()}>
                Yes, close {month}
              </button>
              <button type="button" onClick={() => setConfirm(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" class="danger" onClick={() => setConfirm(true)}>
              Close {month}…
            </button>
          )}
        </div>
      )}
      {list.data?.statements.length === 0 && <p class="muted">No partner had activity in {month}.</p>}
      {list.data?.statements.map((s) => (
        <section class="panel" key={s.partnerId}>
          <StatementTable statement={s} caption={name(s.partnerId)} />
        </section>
      ))}
    </section>
  );
}

export function OperatorCertificationPage() {
  return (
    <ConsoleOnly kind="operator">
      <Certification />
    </ConsoleOnly>
  );
}

export function OperatorMonthsPage() {
  return (
    <ConsoleOnly kind="operator">
      <Months />
    </ConsoleOnly>
  );
}
