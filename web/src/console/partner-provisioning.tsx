import { useEffect, useMemo, useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { clock } from '../ui/time.js';
import { ConsoleOnly } from './guard.js';
import type { Batch, ProvisionedDevice } from './types.js';

/** The same lines `?format=csv` gives: what a factory flashes into devices and prints on stickers. */
export function credentialsCsv(batch: Batch, devices: readonly ProvisionedDevice[]): string {
  const lines = ['device_id,secret,pairing_code,model,version'];
  for (const d of devices)
    lines.push(`${d.id},${d.secret},${d.pairingCode},${batch.modelId},${batch.modelVersion}`);
  return `${lines.join('\n')}\n`;
}

/** A freshly provisioned batch: its credentials, shown only now, to download. */
function Issued({ batch, devices }: { batch: Batch; devices: readonly ProvisionedDevice[] }) {
  const url = useMemo(
    () => URL.createObjectURL(new Blob([credentialsCsv(batch, devices)], { type: 'text/csv' })),
    [batch, devices],
  );
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <div class="panel" role="status">
      <h2>Batch provisioned: {devices.length} devices</h2>
      <p class="warn-note">
        Secrets and pairing codes are shown only now: download them before leaving this page.
      </p>
      <a class="button" href={url} download={`devices-${batch.id}.csv`}>
        Download credentials (CSV)
      </a>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Provisioned devices</caption>
          <thead>
            <tr>
              <th scope="col">Device id</th>
              <th scope="col">Pairing code</th>
            </tr>
          </thead>
          <tbody>
            {devices.slice(0, 20).map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.id}</code>
                </td>
                <td>
                  <code>{d.pairingCode}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {devices.length > 20 && <p class="muted">…and {devices.length - 20} more in the CSV.</p>}
    </div>
  );
}

function Provisioning() {
  const { consoleApi } = useApp();
  const models = useLoad(() => consoleApi.models(), [consoleApi]);
  const batches = useLoad(() => consoleApi.batches(), [consoleApi]);
  // Only certified or published versions can be provisioned (docs/devices.md).
  const choices = (models.data ?? []).flatMap((m) =>
    m.versions
      .filter((v) => v.state === 'certified' || v.state === 'published')
      .map((v) => ({ modelId: m.id, version: v.version })),
  );
  const [choice, setChoice] = useState('');
  const [count, setCount] = useState('10');
  const [label, setLabel] = useState('');
  const [issued, setIssued] = useState<{ batch: Batch; devices: ProvisionedDevice[] } | undefined>(undefined);
  const provision = useAction(async () => {
    const picked = choices.find((c) => `${c.modelId}@${c.version}` === choice) ?? choices[0];
    if (picked === undefined) throw new Error('Choose a model version');
    const result = await consoleApi.provision({
      ...picked,
      count: Number(count),
      ...(label.trim() ? { label: label.trim() } : {}),
    });
    setIssued(result);
    batches.reload();
  });
  return (
    <section class="page">
      <h1>Provisioning</h1>
      {issued && <Issued batch={issued.batch} devices={issued.devices} />}
      <form
        class="stack panel"
        onSubmit={(e) => {
          e.preventDefault();
          void provision.run();
        }}
      >
        <h2>New batch</h2>
        {choices.length === 0 && !models.loading ? (
          <p class="muted">No certified or published model version yet: provisioning needs one.</p>
        ) : (
          <>
            <div class="field">
              <label for="batch-model">Model version</label>
              <select id="batch-model" value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
                {choices.map((c) => (
                  <option key={`${c.modelId}@${c.version}`} value={`${c.modelId}@${c.version}`}>
                    {c.modelId} v{c.version}
                  </option>
                ))}
              </select>
            </div>
            <Field
              label="Devices"
              type="text"
              required
              value={count}
              onValue={setCount}
              hint="1 to 100,000 in one batch"
              error={fieldError(provision.error, '/count')}
            />
            <Field
              label="Label (optional)"
              maxLength={100}
              value={label}
              onValue={setLabel}
              hint="e.g. line 3, week 47"
            />
            <ErrorNote error={provision.error} />
            <Submit busy={provision.busy}>Provision</Submit>
          </>
        )}
      </form>
      <section class="panel" aria-labelledby="batches-h">
        <h2 id="batches-h">Batches</h2>
        <ErrorNote error={batches.error} />
        {batches.data?.length === 0 && <p class="muted">No batches yet.</p>}
        {batches.data && batches.data.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Model</th>
                  <th scope="col">Devices</th>
                  <th scope="col">Label</th>
                </tr>
              </thead>
              <tbody>
                {batches.data.map((b) => (
                  <tr key={b.id} data-batch={b.id}>
                    <td>{clock(b.createdAt)}</td>
                    <td>
                      {b.modelId} v{b.modelVersion}
                    </td>
                    <td>{b.size.toLocaleString()}</td>
                    <td>{b.label ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}

export function PartnerProvisioningPage() {
  return (
    <ConsoleOnly kind="partner">
      <Provisioning />
    </ConsoleOnly>
  );
}
