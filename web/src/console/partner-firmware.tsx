import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { clock } from '../ui/time.js';
import '../ui/firmware.css';
import type { FirmwarePackage, Rollout } from './firmware-api.js';
import { bytes, Labelled, useFirmwareApi } from './firmware-fields.js';
import { ConsoleOnly } from './guard.js';
import { RolloutForm } from './rollout-form.js';

/** A new release: version, spec version, notes and the binary, registered and uploaded in one go. */
function NewPackage({
  modelId,
  specVersion,
  done,
}: {
  modelId: string;
  specVersion: number;
  done: () => void;
}) {
  const api = useFirmwareApi();
  const [form, setForm] = useState({ version: '', specVersion: String(specVersion), notes: '' });
  const [file, setFile] = useState<File | undefined>(undefined);
  const [created, setCreated] = useState<FirmwarePackage | undefined>(undefined);
  const save = useAction(async () => {
    // A draft registered before a failed upload is reused: the next try only uploads.
    const pkg =
      created ??
      (await api.createPackage({
        modelId,
        version: form.version.trim(),
        specVersion: Number(form.specVersion),
        notes: form.notes,
      }));
    setCreated(pkg);
    if (file !== undefined) await api.upload(pkg.id, file);
    setCreated(undefined);
    setForm({ version: '', specVersion: form.specVersion, notes: '' });
    setFile(undefined);
    done();
  });
  return (
    <form
      class="card stack firmware-form"
      aria-label="New firmware package"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2>New release</h2>
      <div class="field-row">
        <Field
          label="Version"
          value={form.version}
          onValue={(version) => setForm({ ...form, version })}
          placeholder="1.4.0"
          hint="semantic version, newer than what devices run"
          error={fieldError(save.error, '/version')}
        />
        <Field
          label="Spec version"
          value={form.specVersion}
          onValue={(v) => setForm({ ...form, specVersion: v })}
          hint="the published model version the firmware implements"
          error={fieldError(save.error, '/specVersion')}
        />
      </div>
      <Labelled label="Release notes" error={fieldError(save.error, '/notes')}>
        {(id, describedBy) => (
          <textarea
            id={id}
            value={form.notes}
            maxLength={20_000}
            aria-describedby={describedBy}
            onInput={(e) => setForm({ ...form, notes: e.currentTarget.value })}
          />
        )}
      </Labelled>
      <Labelled label="Binary" hint="streamed to the hub, which hashes it (SHA-256) and signs the manifest">
        {(id, describedBy) => (
          <input
            id={id}
            type="file"
            aria-describedby={describedBy}
            onChange={(e) => setFile(e.currentTarget.files?.[0])}
          />
        )}
      </Labelled>
      {created && (
        <p class="warn-note">Draft {created.version} is registered; its upload failed. Try again.</p>
      )}
      <ErrorNote error={save.error} />
      <Submit busy={save.busy}>{file ? 'Register and upload' : 'Register (upload later)'}</Submit>
    </form>
  );
}

function signatureText(p: FirmwarePackage): string {
  if (!p.signed) return 'not signed: upload the binary';
  return p.partnerSigned ? `signed by the hub (${p.keyId}) and by you` : `signed by the hub (${p.keyId})`;
}

/** One package: its state, hash and signatures, and the next step (upload, beta, stable). */
function PackageRow({ pkg, reload }: { pkg: FirmwarePackage; reload: () => void }) {
  const api = useFirmwareApi();
  const [file, setFile] = useState<File | undefined>(undefined);
  const [soakHours, setSoakHours] = useState('48');
  const upload = useAction(async () => {
    if (file) await api.upload(pkg.id, file);
    reload();
  });
  const beta = useAction(async () => {
    await api.releaseToBeta(pkg.id, Math.round(Number(soakHours) * 3600_000));
    reload();
  });
  const stable = useAction(async () => {
    await api.promoteToStable(pkg.id);
    reload();
  });
  return (
    <tr data-package={pkg.version}>
      <td>
        <strong>{pkg.version}</strong>
        <p class="muted">
          spec v{pkg.specVersion} · {clock(pkg.createdAt)}
        </p>
        {pkg.notes && <p class="release-notes">{pkg.notes}</p>}
      </td>
      <td>
        <span class={`state ${pkg.state}`}>{pkg.state}</span>{' '}
        {pkg.channel !== 'none' && <span class="state published">{pkg.channel}</span>}
      </td>
      <td>
        {bytes(pkg.size)}
        <p class="muted">
          {pkg.sha256 ? <code title={pkg.sha256}>sha256 {pkg.sha256.slice(0, 12)}…</code> : 'no binary yet'}
        </p>
        <p class="muted" data-signature>
          {signatureText(pkg)}
        </p>
      </td>
      <td class="stack">
        {pkg.state === 'draft' && (
          <div class="inline-form">
            <Labelled label={`Binary of ${pkg.version}`}>
              {(id) => <input id={id} type="file" onChange={(e) => setFile(e.currentTarget.files?.[0])} />}
            </Labelled>
            <button type="button" disabled={!file || upload.busy} onClick={() => void upload.run()}>
              Upload
            </button>
          </div>
        )}
        {pkg.state === 'ready' && pkg.channel === 'none' && (
          <div class="inline-form">
            <Labelled label="Beta soak (hours)">
              {(id) => (
                <input
                  id={id}
                  type="number"
                  min={0}
                  step="any"
                  value={soakHours}
                  onInput={(e) => setSoakHours(e.currentTarget.value)}
                />
              )}
            </Labelled>
            <button type="button" disabled={beta.busy} onClick={() => void beta.run()}>
              Release to beta
            </button>
          </div>
        )}
        {pkg.channel === 'beta' && (
          <button type="button" disabled={stable.busy} onClick={() => void stable.run()}>
            Promote to stable
          </button>
        )}
        <ErrorNote error={upload.error ?? beta.error ?? stable.error} />
      </td>
    </tr>
  );
}

function rolloutLine(r: Rollout): string {
  const c = r.counts;
  return `${c['succeeded'] ?? 0} of ${c['total'] ?? 0} updated, ${(c['failed'] ?? 0) + (c['timed_out'] ?? 0) + (c['rejected'] ?? 0)} failed`;
}

function FirmwarePage() {
  const { consoleApi } = useApp();
  const api = useFirmwareApi();
  const models = useLoad(() => consoleApi.models(), [consoleApi]);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const model = models.data?.find((m) => m.id === chosen) ?? models.data?.[0];
  const packages = useLoad(async () => (model === undefined ? [] : api.packages(model.id)), [api, model?.id]);
  const rollouts = useLoad(() => api.rollouts(), [api]);
  const published = model?.versions.filter((v) => v.state === 'published').map((v) => v.version) ?? [];
  const spec = published.length > 0 ? Math.max(...published) : 1;
  const mine = (rollouts.data ?? []).filter((r) => r.modelId === model?.id);
  return (
    <section class="page">
      <h1>Firmware</h1>
      <p class="muted">
        Ship releases of your models: the hub hashes and signs each binary, delivers it to devices and rolls
        it out in stages that halt themselves on failures or field health (docs/ota.md).
      </p>
      <ErrorNote error={models.error ?? packages.error ?? rollouts.error} />
      {models.data?.length === 0 && <p class="muted">No models yet.</p>}
      {model && (
        <>
          <div class="field inline">
            <label for="firmware-model">Model</label>
            <select id="firmware-model" value={model.id} onChange={(e) => setChosen(e.currentTarget.value)}>
              {(models.data ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id}
                </option>
              ))}
            </select>
          </div>
          <NewPackage key={model.id} modelId={model.id} specVersion={spec} done={packages.reload} />
          <h2>Releases</h2>
          {packages.data?.length === 0 && <p class="muted">No releases of {model.id} yet.</p>}
          {(packages.data?.length ?? 0) > 0 && (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Firmware packages of {model.id}</caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">State</th>
                    <th scope="col">Binary</th>
                    <th scope="col">Next step</th>
                  </tr>
                </thead>
                <tbody>
                  {(packages.data ?? []).map((p) => (
                    <PackageRow key={p.id} pkg={p} reload={packages.reload} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <RolloutForm
            key={`${model.id}-${packages.data?.length ?? 0}`}
            packages={(packages.data ?? []).filter((p) => p.state === 'ready')}
          />
          <h2>Rollouts</h2>
          {mine.length === 0 && <p class="muted">No rollouts of {model.id} yet.</p>}
          <ul class="plain-stack">
            {mine.map((r) => (
              <li key={r.id} data-rollout-row={r.id}>
                <a href={`/partner/firmware/rollouts/${r.id}`}>
                  {r.version} · <span class={`state ${r.state}`}>{r.state}</span> · stage {r.stage + 1} of{' '}
                  {r.stages} · {rolloutLine(r)}
                </a>
                {r.haltReason && <p class="muted">Halted: {r.haltReason}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export const PartnerFirmwarePage = () => (
  <ConsoleOnly kind="partner">
    <FirmwarePage />
  </ConsoleOnly>
);
