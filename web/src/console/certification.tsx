import { useEffect, useMemo, useState } from 'preact/hooks';
import { isRecord, type Json } from '../api/decode.js';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { clock } from '../ui/time.js';
import { CertificationApi, type Run } from './certification-api.js';
import { ConsoleOnly } from './guard.js';
import { DailyChart, ScorecardTable } from './scorecard-view.js';

function useCertificationApi(): CertificationApi {
  const { consoleApi } = useApp();
  return useMemo(() => new CertificationApi(consoleApi.http), [consoleApi]);
}

function verdictOf(run: Run): string {
  return run.state === 'running'
    ? `running ${run.passed + run.failed}/${run.total}`
    : (run.verdict ?? run.state);
}

/** One run, case by case; reloaded every 2 s while it runs. */
function RunDetail({ runId }: { runId: string }) {
  const api = useCertificationApi();
  const run = useLoad(() => api.run(runId), [api, runId]);
  const running = run.data?.state === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => run.reload(), 2000);
    return () => clearInterval(timer);
  }, [running, run.reload]);
  const report = useAction(async () => {
    const signed = await api.report(runId);
    const blob = new Blob([JSON.stringify(signed, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `certification-${runId}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  });
  const r = run.data;
  return (
    <section class="card stack" data-run={runId} aria-live="polite">
      <ErrorNote error={run.error ?? report.error} />
      {r && (
        <>
          <h2>
            {r.modelId} v{r.version} · <span class="state">{verdictOf(r)}</span>
          </h2>
          <p class="muted">
            Device {r.deviceId} · firmware {r.firmwareRevision ?? 'not reported yet'} · started{' '}
            {clock(r.startedAt)} · {r.passed} passed, {r.failed} failed of {r.total}
          </p>
          {r.state === 'finished' && (
            <button type="button" onClick={() => void report.run()} disabled={report.busy}>
              Download the signed report
            </button>
          )}
          <table>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Verdict</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {r.cases.map((c) => (
                <tr key={c.id} data-case={c.id}>
                  <td title={c.title}>{c.id}</td>
                  <td class={c.verdict === 'pass' ? 'ok' : 'error'}>{c.verdict}</td>
                  <td>{c.reasons.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** Partner: start a run against a connected test device, watch it, get its report. */
function PartnerCertification() {
  const api = useCertificationApi();
  const runs = useLoad(() => api.runs(), [api]);
  const [form, setForm] = useState({ modelId: '', version: '1', deviceId: '', packageId: '' });
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const start = useAction(async () => {
    const run = await api.start({
      modelId: form.modelId.trim(),
      version: Number(form.version),
      deviceId: form.deviceId.trim(),
      ...(form.packageId.trim() !== '' ? { packageId: form.packageId.trim() } : {}),
    });
    setSelected(run.id);
    runs.reload();
  });
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  return (
    <section class="page">
      <h1>Certification</h1>
      <p class="muted">
        Run the test plan derived from your model version against a connected prototype; certification follows
        a passing run.
      </p>
      <form
        class="card inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start.run();
        }}
      >
        <Field
          label="Model id"
          value={form.modelId}
          onValue={set('modelId')}
          error={fieldError(start.error, '/modelId')}
        />
        <Field
          label="Version"
          value={form.version}
          onValue={set('version')}
          error={fieldError(start.error, '/version')}
        />
        <Field
          label="Test device id"
          value={form.deviceId}
          onValue={set('deviceId')}
          error={fieldError(start.error, '/deviceId')}
        />
        <Field
          label="Firmware package (optional: adds the update cases)"
          value={form.packageId}
          onValue={set('packageId')}
          error={fieldError(start.error, '/packageId')}
        />
        <button type="submit" class="primary" disabled={start.busy}>
          Start run
        </button>
      </form>
      <ErrorNote error={start.error ?? runs.error} />
      {selected && <RunDetail runId={selected} key={selected} />}
      <h2>Runs</h2>
      {runs.data?.length === 0 && <p class="muted">No runs yet.</p>}
      <ul class="plain-stack">
        {(runs.data ?? []).map((r) => (
          <li key={r.id} data-run-row={r.id}>
            <button type="button" class="link" onClick={() => setSelected(r.id)}>
              {r.modelId} v{r.version} · {verdictOf(r)} · {clock(r.startedAt)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Partner: its scorecard, every model, and the daily chart of one. */
function PartnerScorecard() {
  const { consoleApi } = useApp();
  const api = useCertificationApi();
  const card = useLoad(
    async () => api.partnerScorecard((await consoleApi.partnerMe()).id),
    [api, consoleApi],
  );
  const models = (Array.isArray(card.data?.['models']) ? card.data['models'] : []).filter(isRecord);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const modelId = chosen ?? (models[0] ? String(models[0]['modelId']) : undefined);
  const daily = useLoad(
    async () => (modelId === undefined ? undefined : api.modelScorecard(modelId)),
    [api, modelId],
  );
  const days = (Array.isArray(daily.data?.['daily']) ? daily.data['daily'] : []).filter(isRecord);
  return (
    <section class="page">
      <h1>Scorecard</h1>
      <p class="muted">Live quality figures of your models over the last 30 days.</p>
      <ErrorNote error={card.error ?? daily.error} />
      {card.data && models.length === 0 && <p class="muted">No models yet.</p>}
      {models.length > 0 && <ScorecardTable models={models} />}
      {models.length > 1 && (
        <div class="field inline">
          <label for="chart-model">Chart of</label>
          <select id="chart-model" value={modelId} onChange={(e) => setChosen(e.currentTarget.value)}>
            {models.map((m) => (
              <option key={String(m['modelId'])}>{String(m['modelId'])}</option>
            ))}
          </select>
        </div>
      )}
      {modelId && <DailyChart daily={days} label={`${modelId}: commands, successes and connects per day`} />}
    </section>
  );
}

/** Operator: every partner's models side by side (up to 20 at once). */
function OperatorScorecards() {
  const { consoleApi } = useApp();
  const api = useCertificationApi();
  const compared = useLoad(async () => {
    const ids = (await consoleApi.models()).map((m) => m.id).slice(0, 20);
    return ids.length === 0 ? undefined : api.compare(ids);
  }, [api, consoleApi]);
  const models = (Array.isArray(compared.data?.['models']) ? compared.data['models'] : []).filter(isRecord);
  return (
    <section class="page">
      <h1>Scorecards</h1>
      <p class="muted">Models of every partner side by side, over the last 30 days.</p>
      <ErrorNote error={compared.error} />
      {compared.data === undefined && !compared.loading && <p class="muted">No models yet.</p>}
      {models.length > 0 && <ScorecardTable models={models} />}
    </section>
  );
}

/** Operator's review queue: the version's runs and decisions, next to its certify form. */
export function VersionRuns({ modelId, version }: { modelId: string; version: number }) {
  const api = useCertificationApi();
  const history = useLoad(() => api.history(modelId, version), [api, modelId, version]);
  const runs = (Array.isArray(history.data?.['runs']) ? history.data['runs'] : []).filter(isRecord) as Json[];
  const passing = runs.find((r) => r['verdict'] === 'pass');
  return (
    <p class="muted" data-runs={`${modelId}@${version}`}>
      {history.error
        ? 'Runs could not be loaded.'
        : runs.length === 0
          ? 'No certification run yet: certifying needs the override.'
          : `${runs.length} run(s); ${passing ? `passing run ${String(passing['id'])} on firmware ${String(passing['firmwareRevision'] ?? '?')}` : 'none passing'}.`}
    </p>
  );
}

export const PartnerCertificationPage = () => (
  <ConsoleOnly kind="partner">
    <PartnerCertification />
  </ConsoleOnly>
);
export const PartnerScorecardPage = () => (
  <ConsoleOnly kind="partner">
    <PartnerScorecard />
  </ConsoleOnly>
);
export const OperatorScorecardsPage = () => (
  <ConsoleOnly kind="operator">
    <OperatorScorecards />
  </ConsoleOnly>
);
