import { useState } from 'preact/hooks';
import type { HomeDetail, Room } from '../api/types.js';
import { useApp, useRemote } from '../app.js';
import { deviceTitle, shortId } from '../device/names.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';

/** A name form: rename a home or a room, or add a room. */
function NameForm(props: {
  label: string;
  submit: string;
  initial?: string;
  onSave: (name: string) => Promise<unknown>;
  onDone?: () => void;
}) {
  const [name, setName] = useState(props.initial ?? '');
  const save = useAction(async () => {
    await props.onSave(name.trim());
    if (props.initial === undefined) setName('');
    props.onDone?.();
  });
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <Field
        label={props.label}
        required
        maxLength={50}
        value={name}
        onValue={setName}
        error={fieldError(save.error, '/name')}
      />
      <Submit busy={save.busy}>{props.submit}</Submit>
      {!fieldError(save.error, '/name') && <ErrorNote error={save.error} />}
    </form>
  );
}

function RoomRow({
  home,
  room,
  owner,
  reload,
}: {
  home: HomeDetail;
  room: Room;
  owner: boolean;
  reload: () => void;
}) {
  const { api } = useApp();
  const [editing, setEditing] = useState(false);
  const remove = useAction(async () => {
    await api.deleteRoom(home.id, room.id);
    reload();
  });
  if (editing) {
    return (
      <li>
        <NameForm
          label={`New name for ${room.name}`}
          submit="Rename"
          initial={room.name}
          onSave={(name) => api.renameRoom(home.id, room.id, name)}
          onDone={() => {
            setEditing(false);
            reload();
          }}
        />
      </li>
    );
  }
  return (
    <li>
      <span>{room.name}</span>
      {owner && (
        <span class="button-row">
          <button
            type="button"
            class="secondary"
            onClick={() => setEditing(true)}
            aria-label={`Rename ${room.name}`}
          >
            Rename
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => void remove.run()}
            aria-label={`Delete room ${room.name}`}
          >
            Delete
          </button>
        </span>
      )}
      <ErrorNote error={remove.error} />
    </li>
  );
}

export function HomePage({ params }: { params: Record<string, string> }) {
  const { api, session } = useApp();
  const remote = useRemote();
  const homeId = params['homeId'] ?? '';
  const home = useLoad(() => api.home(homeId), [api, homeId]);
  const [email, setEmail] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const addMember = useAction(async () => {
    await api.addMember(homeId, email.trim());
    setEmail('');
    home.reload();
  });
  const removeMember = useAction(async (userId: string) => {
    await api.removeMember(homeId, userId);
    if (userId === session?.user.id) {
      await remote.refresh();
      navigate('/homes');
    } else home.reload();
  });
  const deleteHome = useAction(async () => {
    await api.deleteHome(homeId);
    await remote.refresh();
    navigate('/homes');
  });

  if (home.error) {
    return (
      <section class="page narrow">
        <h1>Home not found</h1>
        <ErrorNote error={home.error} />
        <p>
          <a href="/homes">Back to homes</a>
        </p>
      </section>
    );
  }
  const detail = home.data;
  if (detail === undefined) return <p class="page muted">Loading…</p>;
  const owner = detail.role === 'owner';
  return (
    <section class="page narrow">
      <p class="crumbs">
        <a href="/homes">Homes</a>
      </p>
      <h1>{detail.name}</h1>
      {owner && (
        <NameForm
          label="Home name"
          submit="Rename"
          initial={detail.name}
          onSave={(name) => api.renameHome(homeId, name)}
          onDone={home.reload}
        />
      )}

      <section class="card stack" aria-labelledby="rooms-h">
        <h2 id="rooms-h">Rooms</h2>
        {detail.rooms.length === 0 && <p class="muted">No rooms yet.</p>}
        <ul class="plain-list">
          {detail.rooms.map((room) => (
            <RoomRow key={room.id} home={detail} room={room} owner={owner} reload={home.reload} />
          ))}
        </ul>
        {owner && (
          <NameForm
            label="New room"
            submit="Add room"
            onSave={(name) => api.addRoom(homeId, name)}
            onDone={home.reload}
          />
        )}
      </section>

      <section class="card stack" aria-labelledby="devices-h">
        <h2 id="devices-h">Devices here</h2>
        {detail.devices.length === 0 ? (
          <p class="muted">No devices are placed in this home. Place one from its page (Settings).</p>
        ) : (
          <ul class="plain-list">
            {detail.devices.map((d) => {
              const state = remote.state(d.deviceId);
              const room = detail.rooms.find((r) => r.id === d.roomId)?.name;
              return (
                <li key={d.deviceId}>
                  <a href={`/devices/${d.deviceId}`}>
                    {state ? deviceTitle(undefined, state) : 'Device'} {shortId(d.deviceId)}
                  </a>
                  <span class="muted">{room ?? 'No room'}</span>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section class="card stack" aria-labelledby="members-h">
        <h2 id="members-h">Members</h2>
        <p class="muted">Members see and control every device placed in this home.</p>
        <ul class="plain-list">
          {detail.members.map((m) => (
            <li key={m.userId}>
              <span>
                {m.displayName ?? m.email}
                {m.displayName && <span class="muted"> {m.email}</span>}
              </span>
              <span class="badge">{m.role}</span>
              {m.role !== 'owner' && (owner || m.userId === session?.user.id) && (
                <button type="button" class="secondary" onClick={() => void removeMember.run(m.userId)}>
                  {m.userId === session?.user.id ? 'Leave home' : `Remove ${m.email}`}
                </button>
              )}
            </li>
          ))}
        </ul>
        <ErrorNote error={removeMember.error} />
        {owner && (
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void addMember.run();
            }}
          >
            <Field
              label="Add a member by email"
              type="email"
              required
              value={email}
              onValue={setEmail}
              error={fieldError(addMember.error, '/email')}
            />
            <ErrorNote error={addMember.error} />
            <Submit busy={addMember.busy}>Add member</Submit>
          </form>
        )}
      </section>

      {owner && (
        <section class="card stack" aria-labelledby="delete-h">
          <h2 id="delete-h">Delete home</h2>
          <p class="muted">Its rooms and members go; the devices stay yours, in no home.</p>
          <ErrorNote error={deleteHome.error} />
          {confirmDelete ? (
            <div class="button-row">
              <button type="button" class="danger" onClick={() => void deleteHome.run()}>
                Yes, delete {detail.name}
              </button>
              <button type="button" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
              Delete home…
            </button>
          )}
        </section>
      )}
    </section>
  );
}
