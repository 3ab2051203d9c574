import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { money } from '../pages/store.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import type { ProductionBatch } from './flash-types.js';
import { ConsoleOnly, percent } from './guard.js';

/** The hub's SVG of a model's price, BOM cost and margin over time (drawn and escaped by the hub). */
function MarginChart({ modelId }: { modelId: string }) {
  const { consoleApi } = useApp();
  const chart = useLoad(() => consoleApi.marginChart(modelId), [consoleApi, modelId]);
  return (
    <figure class="panel margin-chart" data-chart={modelId}>
      <figcaption>Price, BOM cost and margin of {modelId}</figcaption>
      <ErrorNote error={chart.error} />
      {chart.data && <div dangerouslySetInnerHTML={{ __html: chart.data }} />}
    </figure>
  );
}

function Batches({ batches, reload }: { batches: readonly ProductionBatch[]; reload: () => void }) {
  const { consoleApi } = useApp();
  const release = useAction(async (batchId: string) => {
    await consoleApi.releaseBatch(batchId);
    reload();
  });
  return (
    <div class="table-wrap">
      <table>
        <caption>Production batches</caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Model</th>
            <th scope="col">Units</th>
            <th scope="col">BOM at build</th>
            <th scope="col">Margin now</th>
            <th scope="col">State</th>
            <th scope="col">Pre-orders</th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => (
            <tr key={b.batchId} data-batch={b.batchId}>
              <td>{b.batchId}</td>
              <td>{b.modelId}</td>
              <td>{b.units}</td>
              <td>{money(b.bomCostMinor, b.currency)}</td>
              <td>{b.marginNowBp === null ? '–' : percent(b.marginNowBp)}</td>
              <td>
                {b.status === 'held' ? (
                  <>
                    held until {percent(b.holdUntilMarginBp ?? 0)}{' '}
                    <button type="button" class="secondary" onClick={() => void release.run(b.batchId)}>
                      Release now
                    </button>
                  </>
                ) : (
                  `released (${b.releaseReason ?? ''})`
                )}
              </td>
              <td>{b.allocated}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={release.error} />
    </div>
  );
}

function RecordBatch({ onDone }: { onDone: () => void }) {
  const { consoleApi } = useApp();
  const [batchId, setBatchId] = useState('');
  const [cost, setCost] = useState('');
  const [hold, setHold] = useState('');
  const save = useAction(async () => {
    await consoleApi.recordBatch({
      batchId: batchId.trim(),
      ...(cost.trim() !== '' ? { bomCostMinor: Number(cost) } : {}),
      ...(hold.trim() !== '' ? { holdUntilMarginBp: Math.round(Number(hold) * 100) } : {}),
    });
    setBatchId('');
    onDone();
  });
  return (
    <form
      class="panel"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2>Record a production batch</h2>
      <Field
        label="Provisioning batch id"
        value={batchId}
        onValue={setBatchId}
        required
        error={fieldError(save.error, '/batchId')}
      />
      <Field
        label="BOM cost per unit (minor units), empty for the cost in force"
        value={cost}
        onValue={setCost}
        error={fieldError(save.error, '/bomCostMinor')}
      />
      <Field
        label="Hold until the margin reaches (%), empty to release at once"
        value={hold}
        onValue={setHold}
        error={fieldError(save.error, '/holdUntilMarginBp')}
      />
      <Submit busy={save.busy}>Record batch</Submit>
      <ErrorNote error={save.error} />
    </form>
  );
}

function Flash({ partnerId }: { partnerId: string }) {
  const { consoleApi } = useApp();
  const sales = useLoad(() => consoleApi.flashSales(partnerId), [consoleApi, partnerId]);
  const batches = useLoad(() => consoleApi.productionBatches(), [consoleApi]);
  const models = [
    ...new Set((batches.data ?? []).map((b) => b.modelId).concat((sales.data ?? []).map((s) => s.modelId))),
  ].sort();
  return (
    <section class="page">
      <h1>Flash sales and batches</h1>
      <ErrorNote error={sales.error ?? batches.error} />
      <section class="panel">
        <h2>Sales</h2>
        {sales.data?.length === 0 && <p class="muted">No flash sale yet (POST /v1/flash-sales).</p>}
        <ul class="list">
          {(sales.data ?? []).map((s) => (
            <li key={s.id} data-sale={s.id}>
              <strong>{s.name}</strong> · {s.phase} · {s.sold} sold, {s.cap - s.remaining - s.sold} held,{' '}
              {s.remaining} of {s.cap} left · {s.registrations} registered
              {s.payment === 'deposit' &&
                s.depositMinor !== null &&
                ` · deposit ${money(s.depositMinor, s.currency)}`}
            </li>
          ))}
        </ul>
      </section>
      {batches.data && <Batches batches={batches.data} reload={batches.reload} />}
      <RecordBatch onDone={batches.reload} />
      {models.map((m) => (
        <MarginChart key={m} modelId={m} />
      ))}
    </section>
  );
}

export function PartnerFlashPage() {
  const { console: session } = useApp();
  return (
    <ConsoleOnly kind="partner">
      {session?.kind === 'partner' && <Flash partnerId={session.partner.id} />}
    </ConsoleOnly>
  );
}
