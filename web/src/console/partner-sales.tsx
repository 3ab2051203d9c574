import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { ConsoleOnly, percent, saveFile } from './guard.js';
import { LedgerTable, monthOf, StatementTable } from './statements.js';

function Sales({ partnerId }: { partnerId: string }) {
  const { consoleApi } = useApp();
  const [month, setMonth] = useState(monthOf());
  const statement = useLoad(() => consoleApi.statement(partnerId, month), [consoleApi, partnerId, month]);
  const ledger = useLoad(() => consoleApi.ledger(partnerId, month), [consoleApi, partnerId, month]);
  const contracts = useLoad(() => consoleApi.contracts(partnerId), [consoleApi, partnerId]);
  const csv = useAction(async () => {
    const text = await consoleApi.statementCsv(partnerId, month);
    saveFile(`statement-${month}.csv`, text, 'text/csv');
  });
  const months = Array.from({ length: 12 }, (_, i) => monthOf(-i));
  return (
    <section class="page">
      <h1>Sales and statements</h1>
      {contracts.data?.current && (
        <p>
          Commission in force: <strong>{percent(contracts.data.current.rateBp)}</strong> since{' '}
          {contracts.data.current.effectiveFrom}
        </p>
      )}
      <div class="field inline">
        <label for="sales-month">Month</label>
        <select id="sales-month" value={month} onChange={(e) => setMonth(e.currentTarget.value)}>
          {months.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <button type="button" class="secondary" onClick={() => void csv.run()} disabled={csv.busy}>
          Download statement (CSV)
        </button>
      </div>
      <ErrorNote error={statement.error ?? ledger.error ?? contracts.error ?? csv.error} />
      {statement.data && (
        <section class="panel">
          <h2>
            Statement {month}{' '}
            {statement.data.closed ? (
              <span class="state published">closed</span>
            ) : (
              <span class="state draft">open</span>
            )}
          </h2>
          <StatementTable statement={statement.data} caption={`Totals for ${month}`} />
          <p class="muted">
            Units sold {statement.data.unitsSold}, refunded {statement.data.unitsRefunded}, activated by their
            buyers {statement.data.unitsActivated}.
          </p>
        </section>
      )}
      {ledger.data && (
        <section class="panel">
          <h2>Ledger</h2>
          <LedgerTable entries={ledger.data} />
        </section>
      )}
    </section>
  );
}

export function PartnerSalesPage() {
  const { console: session } = useApp();
  return (
    <ConsoleOnly kind="partner">
      {session?.kind === 'partner' && <Sales partnerId={session.partner.id} />}
    </ConsoleOnly>
  );
}
