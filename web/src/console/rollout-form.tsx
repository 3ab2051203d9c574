import { useState } from 'preact/hooks';
import type { Json } from '../api/decode.js';
import { ApiError } from '../api/http.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';
import type { FirmwarePackage } from './firmware-api.js';
import { Labelled, NumberField, useFirmwareApi } from './firmware-fields.js';

type TargetKind = 'model' | 'devices' | 'stable';

const DEFAULTS = {
  packageId: '',
  target: 'model' as TargetKind,
  fromVersions: '',
  deviceIds: '',
  canary: '10',
  stages: '5, 25, 50, 100',
  promotion: 'auto',
  soakMinutes: '10',
  ratePerMinute: '60',
  failurePercent: '5',
  minFinished: '20',
  maxOfflinePercent: '10',
  retries: '2',
  startAt: '',
};

/** The body of `POST /v1/firmware/rollouts` from the form (the hub checks every rule again). */
function rolloutBody(form: typeof DEFAULTS, packageId: string): Json {
  const target =
    form.target === 'devices'
      ? {
          kind: 'devices',
          deviceIds: form.deviceIds
            .split(/[\s,]+/)
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : form.target === 'stable'
        ? { kind: 'channel', channel: 'stable' }
        : { kind: 'model', ...(form.fromVersions.trim() ? { fromVersions: form.fromVersions.trim() } : {}) };
  const rate = Number(form.ratePerMinute);
  return {
    packageId,
    target,
    policy: {
      canary: Number(form.canary),
      stages: form.stages
        .split(/[\s,%]+/)
        .filter(Boolean)
        .map(Number),
      promotion: form.promotion,
      stageSoakMs: Math.round(Number(form.soakMinutes) * 60_000),
      baseRatePerMinute: rate,
      maxRatePerMinute: Math.max(rate, 1000),
      abort: { failurePercent: Number(form.failurePercent), minFinished: Number(form.minFinished) },
      health: { maxOfflinePercent: Number(form.maxOfflinePercent) },
      retries: { max: Number(form.retries) },
    },
    ...(form.startAt ? { startAt: new Date(form.startAt).toISOString() } : {}),
  };
}

/** A staged rollout of a ready release: target, stages and the thresholds that halt it. */
export function RolloutForm({ packages }: { packages: readonly FirmwarePackage[] }) {
  const api = useFirmwareApi();
  const [form, setForm] = useState(DEFAULTS);
  const set = (k: keyof typeof DEFAULTS) => (v: string) => setForm({ ...form, [k]: v });
  const packageId = form.packageId || packages[0]?.id || '';
  const create = useAction(async () => {
    const rollout = await api.createRollout(rolloutBody(form, packageId));
    navigate(`/partner/firmware/rollouts/${rollout.id}`);
  });
  if (packages.length === 0) {
    return <p class="muted">Upload a release's binary to roll it out.</p>;
  }
  const err = (path: string) => fieldError(create.error, path);
  return (
    <form
      class="card stack firmware-form"
      aria-label="New rollout"
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <h2>New rollout</h2>
      <div class="field-row">
        <Labelled label="Release" error={err('/packageId')}>
          {(id) => (
            <select id={id} value={packageId} onChange={(e) => set('packageId')(e.currentTarget.value)}>
              {packages.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.version}
                  {p.channel !== 'none' ? ` (${p.channel})` : ''}
                </option>
              ))}
            </select>
          )}
        </Labelled>
        <Labelled label="Target" error={err('/target')}>
          {(id) => (
            <select id={id} value={form.target} onChange={(e) => set('target')(e.currentTarget.value)}>
              <option value="model">Every device of the model</option>
              <option value="devices">Listed devices</option>
              <option value="stable">The stable channel</option>
            </select>
          )}
        </Labelled>
        {form.target === 'model' && (
          <Field
            label="Only devices on versions (optional)"
            value={form.fromVersions}
            onValue={set('fromVersions')}
            placeholder=">=1.0.0 <1.4.0"
            error={err('/target/fromVersions')}
          />
        )}
      </div>
      {form.target === 'devices' && (
        <Labelled label="Device ids" hint="separated by commas or new lines" error={err('/target/deviceIds')}>
          {(id, describedBy) => (
            <textarea
              id={id}
              value={form.deviceIds}
              aria-describedby={describedBy}
              onInput={(e) => set('deviceIds')(e.currentTarget.value)}
            />
          )}
        </Labelled>
      )}
      <div class="field-row">
        <NumberField
          label="Canary devices"
          value={form.canary}
          onValue={set('canary')}
          min={0}
          step={1}
          error={err('/policy/canary')}
        />
        <Field
          label="Stages (cumulative %)"
          value={form.stages}
          onValue={set('stages')}
          hint="after the canary; increasing, ending at 100"
          error={
            create.error === undefined
              ? undefined
              : (err('/policy/stages') ??
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => err(`/policy/stages/${i}`)).find(Boolean))
          }
        />
        <Labelled label="Promotion">
          {(id) => (
            <select id={id} value={form.promotion} onChange={(e) => set('promotion')(e.currentTarget.value)}>
              <option value="auto">Automatic, on the thresholds</option>
              <option value="manual">Manual</option>
            </select>
          )}
        </Labelled>
        <NumberField
          label="Soak between stages (minutes)"
          value={form.soakMinutes}
          onValue={set('soakMinutes')}
          min={0}
          error={err('/policy/stageSoakMs')}
        />
        <NumberField
          label="Offers per minute"
          value={form.ratePerMinute}
          onValue={set('ratePerMinute')}
          min={1}
          step={1}
          hint="doubles every 50 updated devices"
          error={err('/policy/baseRatePerMinute') ?? err('/policy/maxRatePerMinute')}
        />
        <NumberField
          label="Retries per device"
          value={form.retries}
          onValue={set('retries')}
          min={0}
          max={10}
          step={1}
          hint="a failed or timed-out update is tried again after 1 min, then 2, 4…"
          error={err('/policy/retries/max')}
        />
      </div>
      <fieldset class="field-row">
        <legend>Halt the rollout when</legend>
        <NumberField
          label="Failures exceed (%)"
          value={form.failurePercent}
          onValue={set('failurePercent')}
          min={0}
          max={100}
          error={err('/policy/abort/failurePercent')}
        />
        <NumberField
          label="…once this many finished"
          value={form.minFinished}
          onValue={set('minFinished')}
          min={1}
          step={1}
          error={err('/policy/abort/minFinished')}
        />
        <NumberField
          label="Updated devices offline (%)"
          value={form.maxOfflinePercent}
          onValue={set('maxOfflinePercent')}
          min={0}
          max={100}
          hint="within 15 minutes of their update; error events count too"
          error={err('/policy/health/maxOfflinePercent')}
        />
      </fieldset>
      <Labelled label="Start at (optional: schedules it)" error={err('/startAt')}>
        {(id) => (
          <input
            id={id}
            type="datetime-local"
            value={form.startAt}
            onInput={(e) => set('startAt')(e.currentTarget.value)}
          />
        )}
      </Labelled>
      <ErrorNote error={create.error} />
      {create.error instanceof ApiError && create.error.code === 'CERTIFICATION_REQUIRED' && (
        <p class="warn-note" data-certification-needed>
          Beyond the beta channel a certified model's firmware needs a passing certification run on that
          firmware: start one with this release in <a href="/partner/certification">Certification</a> (the
          release on beta needs none).
        </p>
      )}
      <Submit busy={create.busy}>Start rollout</Submit>
    </form>
  );
}
