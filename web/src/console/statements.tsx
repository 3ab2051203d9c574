import { money } from './guard.js';
import type { LedgerEntry, Statement } from './types.js';

/** `2030-01` for the month `offset` months from now (UTC), the way statements are keyed. */
export function monthOf(offset = 0, now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return d.toISOString().slice(0, 7);
}

/** One statement's totals per currency. */
export function StatementTable({ statement, caption }: { statement: Statement; caption: string }) {
  return (
    <div class="table-wrap">
      <table data-statement={`${statement.partnerId} ${statement.month}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Currency</th>
            <th scope="col">Gross sales</th>
            <th scope="col">Refunds</th>
            <th scope="col">Commission</th>
            <th scope="col">Adjustments</th>
            <th scope="col">Net payable</th>
            <th scope="col">Units sold</th>
          </tr>
        </thead>
        <tbody>
          {statement.totals.length === 0 ? (
            <tr>
              <td colSpan={7} class="muted">
                Nothing this month.
              </td>
            </tr>
          ) : (
            statement.totals.map((t) => (
              <tr key={t.currency}>
                <td>{t.currency}</td>
                <td>{money(t.grossSalesMinor, t.currency)}</td>
                <td>{money(t.refundsMinor, t.currency)}</td>
                <td>{money(t.commissionMinor, t.currency)}</td>
                <td>{money(t.adjustmentsMinor, t.currency)}</td>
                <td>
                  <strong>{money(t.netPayableMinor, t.currency)}</strong>
                </td>
                <td>{t.unitsSold}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export function LedgerTable({ entries }: { entries: readonly LedgerEntry[] }) {
  if (entries.length === 0) return <p class="muted">No ledger entries this month.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Ledger entries</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Kind</th>
            <th scope="col">Order</th>
            <th scope="col">Qty</th>
            <th scope="col">Gross</th>
            <th scope="col">Commission</th>
            <th scope="col">Payable</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq} data-entry={e.kind}>
              <td>{e.seq}</td>
              <td>{e.kind}</td>
              <td>{e.orderId ?? e.reason ?? ''}</td>
              <td>{e.quantity}</td>
              <td>{money(e.grossMinor, e.currency)}</td>
              <td>{money(e.commissionMinor, e.currency)}</td>
              <td>{money(e.payableMinor, e.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
