import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError, Notice, Submit } from '../ui/forms.js';
import { useAction } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';

/** Where to go after signing in: the page that asked for it, if it is one of ours. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const { api, signIn, notice } = useApp();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction(async () => {
    signIn(await api.login(email.trim(), password));
    navigate(nextPath(), true);
  });
  return (
    <section class="page narrow">
      <h1>Sign in</h1>
      {notice && <Notice>{notice}</Notice>}
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void login.run();
        }}
      >
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onValue={setEmail}
          error={fieldError(login.error, '/email')}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
          error={fieldError(login.error, '/password')}
        />
        <ErrorNote error={login.error} />
        <Submit busy={login.busy}>Sign in</Submit>
      </form>
      <p>
        New here? <a href="/register">Create an account</a>
      </p>
      <p class="muted">
        Device makers: <a href="/partner">partner console</a>. Hub operators:{' '}
        <a href="/operator">operator console</a>.
      </p>
    </section>
  );
}

export function RegisterPage() {
  const { api, signIn } = useApp();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const register = useAction(async () => {
    const name = displayName.trim();
    await api.register({ email: email.trim(), password, ...(name ? { displayName: name } : {}) });
    signIn(await api.login(email.trim(), password));
    navigate('/', true);
  });
  return (
    <section class="page narrow">
      <h1>Create your account</h1>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void register.run();
        }}
      >
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onValue={setEmail}
          error={fieldError(register.error, '/email')}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={256}
          hint="At least 8 characters."
          value={password}
          onValue={setPassword}
          error={fieldError(register.error, '/password')}
        />
        <Field
          label="Your name (optional)"
          autoComplete="name"
          maxLength={100}
          value={displayName}
          onValue={setDisplayName}
          error={fieldError(register.error, '/displayName')}
        />
        <ErrorNote error={register.error} />
        <Submit busy={register.busy}>Create account</Submit>
      </form>
      <p>
        Already have an account? <a href="/login">Sign in</a>
      </p>
    </section>
  );
}
