import { useEffect, useState } from 'preact/hooks';
import type { FlashSale } from '../api/flash.js';
import { useApp } from '../app.js';
import { ErrorNote } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';

/** Minor units as a decimal amount with its currency (no floats in the arithmetic: only for display). */
export function money(minor: number, currency: string, digits = 2): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const unit = 10 ** digits;
  const whole = Math.floor(abs / unit);
  const frac = digits > 0 ? `.${String(abs % unit).padStart(digits, '0')}` : '';
  return `${sign}${whole}${frac} ${currency}`;
}

/** "2 h 03 min 09 s" until `iso`; "now" when it has passed. */
export function countdown(iso: string, now: number): string {
  let s = Math.max(0, Math.floor((Date.parse(iso) - now) / 1000));
  if (s === 0) return 'now';
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d > 0 ? `${d} d` : '', d + h > 0 ? `${h} h` : '', `${String(m).padStart(2, '0')} min`];
  return `${parts.filter(Boolean).join(' ')} ${String(s).padStart(2, '0')} s`;
}

function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** What the countdown counts to, by phase. */
function nextMoment(sale: FlashSale): { label: string; at: string } | undefined {
  if (sale.phase === 'scheduled') return { label: 'Registration opens in', at: sale.registrationOpensAt };
  if (sale.phase === 'registration') return { label: 'Sale opens in', at: sale.opensAt };
  if (sale.phase === 'open') return { label: 'Closes in', at: sale.closesAt };
  return undefined;
}

/**
 * The store (docs/flash-sales.md): flash sales with their countdown, registration, buying (a
 * reservation, the waitlist, or a pre-order paid by deposit), and the user's purchases and
 * pre-orders. Payment happens at the payment provider; this page shows what is awaiting it.
 */
export function StorePage() {
  const { api } = useApp();
  const sales = useLoad(() => api.flash.sales(), [api]);
  const purchases = useLoad(() => api.flash.purchases(), [api]);
  const preorders = useLoad(() => api.flash.preorders(), [api]);
  const now = useNow();
  const refresh = () => {
    sales.reload();
    purchases.reload();
    preorders.reload();
  };
  return (
    <section class="page narrow">
      <h1>Store</h1>
      <p class="muted">
        New devices launch in flash sales: register before the opening, then buy when it opens. Units are
        capped; when they are gone you join the waitlist.
      </p>
      <ErrorNote error={sales.error} />
      {sales.data?.length === 0 && <p>No flash sale right now.</p>}
      <ul class="list">
        {(sales.data ?? [])
          .filter((s) => s.phase !== 'closed')
          .map((s) => (
            <SaleCard key={s.id} sale={s} now={now} onChange={refresh} />
          ))}
      </ul>
      <h2>My orders</h2>
      <ErrorNote error={purchases.error ?? preorders.error} />
      {purchases.data?.length === 0 && <p class="muted">Nothing bought yet.</p>}
      <ul class="list" aria-label="My purchases">
        {(purchases.data ?? []).map((p) => (
          <li key={p.id} class="card" data-purchase={p.id}>
            <strong>{p.status === 'reserved' ? 'Reserved: awaiting payment' : p.status}</strong> {p.quantity}{' '}
            × {money(p.amountMinor / p.quantity, p.currency)}
            {p.status === 'reserved' && (
              <span class="muted"> until {new Date(p.expiresAt).toLocaleString()}</span>
            )}
            {p.orderId && <span class="muted"> · order {p.orderId}</span>}
          </li>
        ))}
      </ul>
      {(preorders.data ?? []).length > 0 && (
        <>
          <h2>My pre-orders</h2>
          <ul class="list" aria-label="My pre-orders">
            {(preorders.data ?? []).map((p) => (
              <li key={p.id} class="card" data-preorder={p.id}>
                <strong>Pre-order {p.status}</strong> · deposit {money(p.depositMinor, p.currency)} paid,
                balance {money(p.balanceMinor, p.currency)}
                {p.balanceDueAt
                  ? ` due by ${new Date(p.balanceDueAt).toLocaleString()}`
                  : ' due when the batch is built'}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function SaleCard({ sale, now, onChange }: { sale: FlashSale; now: number; onChange: () => void }) {
  const { api } = useApp();
  const registered = useLoad(() => api.flash.registered(sale.id), [api, sale.id]);
  // One key per attempt the user starts: pressing Buy again after a network error replays it.
  const [key] = useState(() => crypto.randomUUID());
  const [answer, setAnswer] = useState<string | undefined>(undefined);
  const register = useAction(async () => {
    await api.flash.register(sale.id);
    registered.reload();
    onChange();
  });
  const buy = useAction(async () => {
    const a = await api.flash.buy(sale.id, 1, key);
    setAnswer(
      a.outcome === 'reserved'
        ? sale.payment === 'deposit'
          ? 'Reserved: pay the deposit to hold your place'
          : 'Reserved: pay to complete your purchase'
        : a.outcome === 'waitlisted'
          ? `Sold out: you are number ${a.position ?? '?'} on the waitlist`
          : `Busy: you are number ${a.position ?? '?'} in the queue, try again in a moment`,
    );
    onChange();
  });
  const next = nextMoment(sale);
  const opened = Date.parse(sale.opensAt) <= now && now < Date.parse(sale.closesAt);
  return (
    <li class="card" data-sale={sale.id}>
      <h3>{sale.name}</h3>
      <p>
        {money(sale.priceMinor, sale.currency, sale.minorUnits)}
        {sale.payment === 'deposit' && sale.depositMinor !== null && (
          <>
            {' '}
            · pre-order with a deposit of {money(sale.depositMinor, sale.currency, sale.minorUnits)}, balance
            when built (missed balance: deposit {sale.missedBalance === 'forfeit' ? 'kept' : 'refunded'})
          </>
        )}
      </p>
      <p class="muted">
        {sale.cap} units, {sale.remaining} left · {sale.registrations} registered ·{' '}
        {sale.mode === 'draw' ? 'draw among registrants' : 'first come, first served'}
      </p>
      {next && (
        <p class="countdown" role="timer" aria-live="off">
          {next.label} <strong>{countdown(next.at, now)}</strong>
        </p>
      )}
      {registered.data === true ? (
        <p class="muted">You are registered.</p>
      ) : (
        <button type="button" onClick={() => void register.run()} disabled={register.busy || opened}>
          Register
        </button>
      )}{' '}
      <button type="button" onClick={() => void buy.run()} disabled={buy.busy || !opened}>
        {sale.payment === 'deposit' ? 'Pre-order' : 'Buy'}
      </button>
      {answer && (
        <p role="status" class="notice">
          {answer}
        </p>
      )}
      <ErrorNote error={register.error ?? buy.error} />
    </li>
  );
}
