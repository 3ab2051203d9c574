import { useState } from 'preact/hooks';
import type { DeviceState, HomeDetail } from '../api/types.js';
import { useApp, useRemote } from '../app.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';

/** Where the device is: a home the owner owns and optionally one of its rooms (docs/homes.md). */
function PlacementForm({ state }: { state: DeviceState }) {
  const { api } = useApp();
  const remote = useRemote();
  const homes = useLoad(async () => {
    const owned = (await api.homes()).filter((h) => h.role === 'owner');
    return Promise.all(owned.map((h) => api.home(h.id)));
  }, [api]);
  const [homeId, setHomeId] = useState(state.placement?.homeId ?? '');
  const [roomId, setRoomId] = useState(state.placement?.roomId ?? '');
  const save = useAction(async () => {
    if (homeId === '') await api.unplace(state.id);
    else await api.place(state.id, homeId, roomId === '' ? null : roomId);
    await remote.refresh();
  });
  const list: HomeDetail[] = homes.data ?? [];
  const rooms = list.find((h) => h.id === homeId)?.rooms ?? [];
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h3>Place</h3>
      {homes.loading && <p class="muted">Loading your homes…</p>}
      {!homes.loading && list.length === 0 && (
        <p class="muted">
          You own no home yet. <a href="/homes">Create a home</a> to group devices by room.
        </p>
      )}
      {list.length > 0 && (
        <>
          <div class="field">
            <label for="placement-home">Home</label>
            <select
              id="placement-home"
              value={homeId}
              onChange={(e) => {
                setHomeId(e.currentTarget.value);
                setRoomId('');
              }}
            >
              <option value="">Not in a home</option>
              {list.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="placement-room">Room</label>
            <select
              id="placement-room"
              value={roomId}
              disabled={homeId === ''}
              onChange={(e) => setRoomId(e.currentTarget.value)}
            >
              <option value="">No room</option>
              {rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
          <ErrorNote error={save.error ?? homes.error} />
          <Submit busy={save.busy}>Save place</Submit>
        </>
      )}
    </form>
  );
}

/** Who else may use the device (owner only): share by email, revoke. */
function Sharing({ state }: { state: DeviceState }) {
  const { api } = useApp();
  const shares = useLoad(() => api.shares(state.id), [api, state.id]);
  const [email, setEmail] = useState('');
  const add = useAction(async () => {
    await api.share(state.id, email.trim());
    setEmail('');
    shares.reload();
  });
  const revoke = useAction(async (member: string) => {
    await api.revokeShare(state.id, member);
    shares.reload();
  });
  const members = (shares.data ?? []).filter((s) => s.role === 'member');
  return (
    <div class="stack">
      <h3>Sharing</h3>
      {members.length === 0 ? (
        <p class="muted">Only you can use this device.</p>
      ) : (
        <ul class="plain-list" aria-label="Shared with">
          {members.map((s) => {
            const who = s.email ?? s.userId ?? '';
            return (
              <li key={who}>
                <span>{who}</span>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => void revoke.run(who)}
                  aria-label={`Stop sharing with ${who}`}
                >
                  Stop sharing
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void add.run();
        }}
      >
        <Field
          label="Share with (email)"
          hint="Someone without an account yet gets it once they register with this email."
          type="email"
          required
          value={email}
          onValue={setEmail}
          error={fieldError(add.error, '/email')}
        />
        <ErrorNote error={add.error ?? revoke.error ?? shares.error} />
        <Submit busy={add.busy}>Share</Submit>
      </form>
    </div>
  );
}

/** Owner: remove the device (fresh pairing code shown once). Member: stop using a shared device. */
function Removal({ state }: { state: DeviceState }) {
  const { api, session } = useApp();
  const remote = useRemote();
  const [confirming, setConfirming] = useState(false);
  const [code, setCode] = useState<string | undefined>(undefined);
  const remove = useAction(async () => {
    if (state.role === 'owner') setCode(await api.removeDevice(state.id));
    else if (session) {
      await api.revokeShare(state.id, session.user.id);
      await remote.refresh();
      navigate('/');
    }
  });
  if (code !== undefined) {
    return (
      <div class="stack" role="status">
        <p>
          The device is removed. Its new pairing code is <code class="code">{code}</code>: keep it to add the
          device again.
        </p>
        <button
          type="button"
          onClick={() => {
            void remote.refresh();
            navigate('/');
          }}
        >
          Back to devices
        </button>
      </div>
    );
  }
  const what = state.role === 'owner' ? 'Remove device' : 'Stop using this device';
  return (
    <div class="stack">
      <h3>{what}</h3>
      <p class="muted">
        {state.role === 'owner'
          ? 'Removing unbinds everyone who uses it; it gets a new pairing code.'
          : 'It was shared with you; you can leave it. Its owner keeps it.'}
      </p>
      <ErrorNote error={remove.error} />
      {confirming ? (
        <div class="button-row">
          <button type="button" class="danger" onClick={() => void remove.run()} disabled={remove.busy}>
            Yes, {what.toLowerCase()}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          {what}…
        </button>
      )}
    </div>
  );
}

export function DeviceSettings({ state }: { state: DeviceState }) {
  return (
    <section class="panel settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      {state.role === 'owner' && <PlacementForm state={state} />}
      {state.role === 'owner' && <Sharing state={state} />}
      <Removal state={state} />
    </section>
  );
}
