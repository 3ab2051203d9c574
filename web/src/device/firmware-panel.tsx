import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { DeviceFirmware, DeviceUpdate, FirmwareNotice } from '../api/firmware.js';
import { useApp, useRemote } from '../app.js';
import type { DeviceLive } from '../live/device-live.js';
import { ErrorNote } from '../ui/forms.js';
import { useAction, useLoad, useObservable } from '../ui/hooks.js';
import { clock } from '../ui/time.js';
import '../ui/firmware.css';

const FIRMWARE_KEY = 'device-information.firmware-revision';
const OPEN = new Set(['queued', 'offered', 'in_progress']);

type Shown = Pick<DeviceUpdate, 'state' | 'phase' | 'percent' | 'reason' | 'version' | 'updatedAt'> & {
  readonly id: string;
};

/** The latest update: the REST answer, or a newer live notice about it (or about a newer one). */
function latestUpdate(fw: DeviceFirmware | undefined, notice: FirmwareNotice | undefined): Shown | undefined {
  const rest = fw?.updates[0];
  if (notice === undefined) return rest;
  if (rest === undefined || notice.updatedAt >= rest.updatedAt) return { ...notice, id: notice.executionId };
  return rest;
}

const PHASES: Record<string, string> = {
  downloading: 'Downloading',
  verifying: 'Verifying the download',
  installing: 'Installing',
  rebooting: 'Restarting',
};

/** What a person reads about an update's state (docs/ota.md, "Executions"). */
function describe(u: Shown, running: string | null): string {
  switch (u.state) {
    case 'queued':
      return u.reason ? `Will try again: ${u.reason}` : 'Waiting for its turn in the rollout';
    case 'offered':
      return 'Offered to the device, waiting for it to start';
    case 'in_progress':
      return u.phase === 'downloading' && u.percent !== null
        ? `Downloading ${u.percent}%`
        : (PHASES[u.phase ?? ''] ?? 'In progress');
    case 'succeeded':
      return `Done: the device runs ${running ?? u.version}`;
    case 'failed':
      return `Failed: ${u.reason ?? 'no reason given'}`;
    case 'timed_out':
      return `Failed: ${u.reason ?? 'the device stopped answering'}`;
    case 'rejected':
      return `The device refused it: ${u.reason ?? 'no reason given'}`;
    case 'cancelled':
      return 'Cancelled by the manufacturer';
  }
}

function BetaToggle({ deviceId, on, changed }: { deviceId: string; on: boolean; changed: () => void }) {
  const { api } = useApp();
  const id = useId();
  const [joined, setJoined] = useState<string | undefined>(undefined);
  const toggle = useAction(async (next: boolean) => {
    const rollout = await api.firmware.setBeta(deviceId, next);
    setJoined(
      next ? (rollout ? 'The release on beta is on its way to this device.' : 'Opted in.') : 'Left beta.',
    );
    changed();
  });
  return (
    <div class="stack">
      <div class="row">
        <label for={id}>Beta channel</label>
        <input
          id={id}
          type="checkbox"
          role="switch"
          class="switch"
          checked={on}
          aria-checked={on}
          aria-describedby={`${id}-hint`}
          disabled={toggle.busy}
          onChange={(e) => void toggle.run(e.currentTarget.checked)}
        />
      </div>
      <p class="hint" id={`${id}-hint`}>
        Get new firmware before everyone else, to try it and tell the maker how it does. Beta releases may
        have bugs; rollouts halt themselves when beta devices do worse. Leaving beta keeps the firmware the
        device runs.
      </p>
      <p class="muted" role="status">
        {joined}
      </p>
      <ErrorNote error={toggle.error} />
    </div>
  );
}

/** The owner's view of the device's firmware: version, updates live, release notes, beta opt-in. */
export function FirmwarePanel({ deviceId, live }: { deviceId: string; live: DeviceLive }) {
  const { api } = useApp();
  const remote = useRemote();
  useObservable(remote.firmware);
  const fw = useLoad(() => api.firmware.device(deviceId), [api, deviceId]);
  const notice = remote.firmware.latest.get(deviceId);
  const noticeState = notice?.state;
  const reconnects = remote.firmware.reconnects;
  // A finished update changes the running version and the release on offer; a reconnect may have
  // missed notices: both read the REST view again (progress itself comes live, never polled).
  useEffect(() => {
    if (reconnects > 0 || (noticeState !== undefined && !OPEN.has(noticeState))) fw.reload();
  }, [noticeState, reconnects, fw.reload]);
  // An update the REST view does not know yet (just offered): read it once for its release notes.
  const noticeId = notice?.executionId;
  const asked = useRef(new Set<string>());
  useEffect(() => {
    if (noticeId === undefined || fw.data === undefined || asked.current.has(noticeId)) return;
    if (fw.data.updates.some((u) => u.id === noticeId)) return;
    asked.current.add(noticeId);
    fw.reload();
  }, [noticeId, fw.data, fw.reload]);
  const reported = live.reported.get(FIRMWARE_KEY)?.value;
  const running = typeof reported === 'string' ? reported : (fw.data?.currentVersion ?? null);
  const update = latestUpdate(fw.data, notice);
  const open = update !== undefined && OPEN.has(update.state);
  const notesOf = (version: string) =>
    fw.data?.updates.find((u) => u.version === version)?.notes ??
    (fw.data?.available?.version === version ? fw.data.available.notes : '');
  const available = fw.data?.available;
  return (
    <section class="panel stack" aria-labelledby={`fw-${deviceId}`} data-firmware>
      <h2 id={`fw-${deviceId}`}>Firmware</h2>
      <ErrorNote error={fw.error} />
      <p>
        Running <strong data-firmware-version>{running ?? 'unknown'}</strong>
      </p>
      {update && (
        <div class="stack" data-update-state={update.state}>
          <p>
            {open ? 'Updating to' : 'Last update:'} <strong>{update.version}</strong>
            {!open && <span class="muted"> · {clock(update.updatedAt)}</span>}
          </p>
          {open && (
            <progress
              max={100}
              value={update.state === 'in_progress' && update.percent !== null ? update.percent : undefined}
              aria-label={`Update to ${update.version}`}
            />
          )}
          <p
            class={update.state === 'succeeded' ? 'ok-note' : open ? 'muted' : 'error-note'}
            role="status"
            aria-live="polite"
            data-update-status
          >
            {describe(update, running)}
          </p>
          {open && notesOf(update.version) && (
            <details open>
              <summary>What's new in {update.version}</summary>
              <p class="release-notes">{notesOf(update.version)}</p>
            </details>
          )}
        </div>
      )}
      {available && !(open && update?.version === available.version) && (
        <div class="stack" data-available={available.version}>
          <p>
            Version <strong>{available.version}</strong> is available
            {available.channel === 'beta' ? ' on the beta channel' : ''}
            {available.releasedAt ? ` since ${clock(available.releasedAt)}` : ''}.
          </p>
          {available.notes && <p class="release-notes">{available.notes}</p>}
          <p class="hint">
            The maker rolls it out in stages and stops if devices do worse; this device gets it when its turn
            comes and installs it by itself.
          </p>
        </div>
      )}
      {fw.data && !available && !open && <p class="muted">The firmware is up to date.</p>}
      {fw.data && <BetaToggle deviceId={deviceId} on={fw.data.beta} changed={fw.reload} />}
    </section>
  );
}
