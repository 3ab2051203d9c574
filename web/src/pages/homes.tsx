import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';

export function HomesPage() {
  const { api } = useApp();
  const homes = useLoad(() => api.homes(), [api]);
  const [name, setName] = useState('');
  const create = useAction(async () => {
    const home = await api.createHome(name.trim());
    navigate(`/homes/${home.id}`);
  });
  return (
    <section class="page narrow">
      <h1>Homes</h1>
      <p class="muted">A home groups devices by room and shares them with the people who live there.</p>
      <ErrorNote error={homes.error} />
      {homes.data && homes.data.length === 0 && <p>You are in no home yet.</p>}
      {homes.data && homes.data.length > 0 && (
        <ul class="plain-list card">
          {homes.data.map((home) => (
            <li key={home.id}>
              <a href={`/homes/${home.id}`}>{home.name}</a>
              <span class="badge">{home.role === 'owner' ? 'owner' : 'member'}</span>
            </li>
          ))}
        </ul>
      )}
      <form
        class="stack card"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2>New home</h2>
        <Field
          label="Name"
          required
          maxLength={50}
          value={name}
          onValue={setName}
          error={fieldError(create.error, '/name')}
        />
        <ErrorNote error={create.error} />
        <Submit busy={create.busy}>Create home</Submit>
      </form>
    </section>
  );
}
