import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError } from '../ui/forms.js';
import { useAction } from '../ui/hooks.js';

/**
 * Deleting the account, confirmed with the password. Every session ends at once (this one too), so
 * the devices it owned, released with fresh pairing codes, are listed on the sign-in page.
 */
function DeleteAccount() {
  const { api, endSession } = useApp();
  const [password, setPassword] = useState('');
  const remove = useAction(async () => {
    const released = await api.deleteAccount(password);
    const codes = released.map((d) => `${d.id}: ${d.pairingCode}`).join(', ');
    endSession(
      released.length === 0
        ? 'Your account is deleted.'
        : `Your account is deleted. New pairing codes of the devices you owned (shown only now): ${codes}.`,
    );
  });
  return (
    <form
      class="panel stack"
      onSubmit={(e) => {
        e.preventDefault();
        void remove.run();
      }}
    >
      <h2>Delete account</h2>
      <p class="muted">
        Every session ends at once. Devices you own are released with new pairing codes, your homes are
        deleted, your shares end.
      </p>
      <Field
        label="Password, to confirm"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onValue={setPassword}
        error={fieldError(remove.error, '/password')}
      />
      <ErrorNote error={remove.error} />
      <button type="submit" class="danger" disabled={remove.busy || password === ''}>
        Delete my account
      </button>
    </form>
  );
}

export function AccountPage() {
  const { session, signOut } = useApp();
  if (!session) return null;
  return (
    <section class="page narrow">
      <h1>Account</h1>
      <dl class="facts card">
        <dt>Email</dt>
        <dd>{session.user.email}</dd>
        {session.user.displayName && (
          <>
            <dt>Name</dt>
            <dd>{session.user.displayName}</dd>
          </>
        )}
        <dt>Signed in until</dt>
        <dd>{new Date(session.expiresAt).toLocaleString()}</dd>
      </dl>
      <button type="button" class="secondary" onClick={() => void signOut()}>
        Sign out
      </button>
      <p class="muted">
        Developers: the <a href="/docs">API documentation</a> describes everything this app does.
      </p>
      <DeleteAccount />
    </section>
  );
}
