import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { ConsoleOnly, percent } from './guard.js';

function PartnerList() {
  const { consoleApi } = useApp();
  const partners = useLoad(() => consoleApi.partners(), [consoleApi]);
  return (
    <section class="page">
      <h1>Partners</h1>
      <ErrorNote error={partners.error} />
      {partners.data?.length === 0 && <p class="muted">No partners yet: approve an application first.</p>}
      {partners.data && partners.data.length > 0 && (
        <div class="table-wrap card">
          <table>
            <thead>
              <tr>
                <th scope="col">Company</th>
                <th scope="col">Slug</th>
                <th scope="col">Categories</th>
              </tr>
            </thead>
            <tbody>
              {partners.data.map((p) => (
                <tr key={p.id} data-partner={p.slug}>
                  <td>
                    <a href={`/operator/partners/${p.id}`}>{p.company}</a>
                  </td>
                  <td>{p.slug}</td>
                  <td>{p.categories.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Tomorrow (UTC), the earliest date a new rate may start. */
function tomorrow(): string {
  return new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
}

/** One partner's commission contracts: the one in force, the history, and a new rate from a future date. */
function Contracts({ partnerId }: { partnerId: string }) {
  const { consoleApi } = useApp();
  const partner = useLoad(
    async () => (await consoleApi.partners()).find((p) => p.id === partnerId),
    [consoleApi, partnerId],
  );
  const contracts = useLoad(() => consoleApi.contracts(partnerId), [consoleApi, partnerId]);
  const [rate, setRate] = useState('');
  const [from, setFrom] = useState(tomorrow());
  const [note, setNote] = useState('');
  const save = useAction(async () => {
    const value = Number(rate.replace(',', '.'));
    if (!(value >= 0 && value <= 100)) throw new Error('The rate is a percentage from 0 to 100');
    await consoleApi.setContract(partnerId, {
      rateBp: Math.round(value * 100),
      effectiveFrom: from,
      ...(note.trim() ? { note: note.trim() } : {}),
    });
    setRate('');
    setNote('');
    contracts.reload();
  });
  return (
    <section class="page narrow">
      <p class="crumbs">
        <a href="/operator/partners">Partners</a>
      </p>
      <h1>{partner.data?.company ?? 'Partner'}</h1>
      <ErrorNote error={contracts.error ?? partner.error} />
      {contracts.data && (
        <section class="panel">
          <h2>Commission</h2>
          <p>
            In force:{' '}
            <strong>{contracts.data.current ? percent(contracts.data.current.rateBp) : 'none'}</strong>
          </p>
          <ul class="plain-list">
            {contracts.data.contracts.map((c) => (
              <li key={c.id} data-contract={c.effectiveFrom}>
                <span>
                  {percent(c.rateBp)} from {c.effectiveFrom}
                </span>
                <span class="muted">{c.note ?? ''}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <form
        class="stack panel"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <h2>New rate</h2>
        <p class="muted">
          A new rate starts on a future date; sales already made keep the rate they were made at.
        </p>
        <Field
          label="Commission (%)"
          required
          value={rate}
          onValue={setRate}
          error={fieldError(save.error, '/rateBp')}
        />
        <Field
          label="From (YYYY-MM-DD, UTC)"
          required
          value={from}
          onValue={setFrom}
          error={fieldError(save.error, '/effectiveFrom')}
        />
        <Field label="Note (optional)" maxLength={1000} value={note} onValue={setNote} />
        <ErrorNote error={save.error} />
        <Submit busy={save.busy}>Set rate</Submit>
      </form>
    </section>
  );
}

export function OperatorPartnersPage() {
  return (
    <ConsoleOnly kind="operator">
      <PartnerList />
    </ConsoleOnly>
  );
}

export function OperatorPartnerPage({ params }: { params: Record<string, string> }) {
  return (
    <ConsoleOnly kind="operator">
      <Contracts partnerId={params['partnerId'] ?? ''} />
    </ConsoleOnly>
  );
}
