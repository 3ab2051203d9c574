import { useEffect } from 'preact/hooks';
import type { DeviceState } from '../api/types.js';
import { useRemote } from '../app.js';
import { DeviceTile } from '../device/tile.js';
import { ErrorNote } from '../ui/forms.js';
import { useObservable } from '../ui/hooks.js';

interface Group {
  readonly key: string;
  readonly title: string;
  readonly rooms: ReadonlyArray<{
    readonly key: string;
    readonly title: string | null;
    readonly devices: DeviceState[];
  }>;
}

/** Devices by home, then room (as Mi Home lists them); devices in no home come last. */
export function groupDevices(states: readonly DeviceState[]): Group[] {
  const homes = new Map<
    string,
    { title: string; rooms: Map<string, { title: string | null; devices: DeviceState[] }> }
  >();
  for (const state of states) {
    const homeKey = state.placement?.homeId ?? '';
    const home = homes.get(homeKey) ?? {
      title: state.placement?.homeName ?? 'Not in a home',
      rooms: new Map(),
    };
    homes.set(homeKey, home);
    const roomKey = state.placement?.roomId ?? '';
    const room = home.rooms.get(roomKey) ?? { title: state.placement?.roomName ?? null, devices: [] };
    home.rooms.set(roomKey, room);
    room.devices.push(state);
  }
  const byTitle = (a: { title: string | null }, b: { title: string | null }) =>
    (a.title ?? '\uffff').localeCompare(b.title ?? '\uffff');
  return [...homes.entries()]
    .map(([key, home]) => ({
      key,
      title: home.title,
      rooms: [...home.rooms.entries()].map(([roomKey, room]) => ({ key: roomKey, ...room })).sort(byTitle),
    }))
    .sort((a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : a.title.localeCompare(b.title)));
}

export function DevicesPage() {
  const remote = useRemote();
  useObservable(remote);
  // Shares and placements may have changed elsewhere: one fresh list per visit (live state stays on MQTT).
  useEffect(() => {
    void remote.refresh();
  }, [remote]);
  const states = remote.states;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Devices</h1>
        <a class="button" href="/add">
          Add device
        </a>
      </div>
      {remote.loadError && <ErrorNote error={new Error(remote.loadError)} />}
      {states === undefined ? (
        <p class="muted">Loading your devices…</p>
      ) : states.length === 0 ? (
        <div class="empty card">
          <p>No devices yet.</p>
          <p>
            Add one with the pairing code on its box: <a href="/add">Add device</a>.
          </p>
        </div>
      ) : (
        groupDevices(states).map((group) => (
          <section class="group" key={group.key} aria-labelledby={`home-${group.key || 'none'}`}>
            <h2 id={`home-${group.key || 'none'}`}>{group.title}</h2>
            {group.rooms.map((room) => (
              <div key={room.key}>
                {room.title && <h3>{room.title}</h3>}
                <ul class="tiles">
                  {room.devices.map((state) => (
                    <DeviceTile key={state.id} remote={remote} state={state} />
                  ))}
                </ul>
              </div>
            ))}
          </section>
        ))
      )}
    </section>
  );
}
