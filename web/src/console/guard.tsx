import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Http } from '../api/http.js';
import { useApp } from '../app.js';
import { ErrorNote, Field, Notice, Submit } from '../ui/forms.js';
import { useAction } from '../ui/hooks.js';
import { ConsoleApi } from './api.js';

/**
 * Signs a partner in with its API key (`ek_...`) or an operator with an operator token; the
 * credential is checked with one request of that kind before it is kept.
 */
function ConsoleSignIn({ kind }: { kind: 'partner' | 'operator' }) {
  const { signInConsole, notice } = useApp();
  const [token, setToken] = useState('');
  const signIn = useAction(async () => {
    const value = token.trim();
    const api = new ConsoleApi(new Http({ token: () => value, unauthenticated: () => undefined }));
    if (kind === 'partner') {
      const partner = await api.partnerMe();
      signInConsole({
        kind,
        token: value,
        partner: { id: partner.id, slug: partner.slug, company: partner.company },
      });
    } else {
      await api.applications('pending');
      signInConsole({ kind, token: value });
    }
  });
  return (
    <section class="page narrow">
      <h1>{kind === 'partner' ? 'Partner console' : 'Operator console'}</h1>
      {notice && <Notice>{notice}</Notice>}
      <p>
        {kind === 'partner'
          ? 'Sign in with your API key (ek_...), issued when your application was approved.'
          : 'Sign in with an operator token (eo_...), printed on the hub’s first start or minted with ecohub admin token.'}
      </p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void signIn.run();
        }}
      >
        <Field
          label={kind === 'partner' ? 'API key' : 'Operator token'}
          type="password"
          autoComplete="off"
          required
          value={token}
          onValue={setToken}
        />
        <ErrorNote error={signIn.error} />
        <Submit busy={signIn.busy}>Sign in</Submit>
      </form>
      <p class="muted">
        The key is kept in this tab only.{' '}
        {kind === 'partner' ? (
          <a href="/operator">Operator console</a>
        ) : (
          <a href="/partner">Partner console</a>
        )}
        {' · '}
        <a href="/">Remote control</a>
      </p>
    </section>
  );
}

/** A console page: shown to the console's own kind of identity, else its sign-in form. */
export function ConsoleOnly({
  kind,
  children,
}: {
  kind: 'partner' | 'operator';
  children: ComponentChildren;
}) {
  const { console: session } = useApp();
  if (session?.kind !== kind) return <ConsoleSignIn kind={kind} />;
  return <>{children}</>;
}

/** Money in minor units as the currency writes it (`1234`, `EUR` -> `€12.34`). */
export function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** Basis points as a percentage (`550` -> `5.5 %`). */
export function percent(bp: number): string {
  return `${(bp / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} %`;
}

/** Offers `text` as a file download (statements, credentials). */
export function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
