import { useApp } from '../app.js';

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
    </section>
  );
}
