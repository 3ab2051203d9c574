import { useState } from 'preact/hooks';
import { useApp, useRemote } from '../app.js';
import { ErrorNote, Field, fieldError, Submit } from '../ui/forms.js';
import { useAction } from '../ui/hooks.js';
import { navigate } from '../ui/router.js';

/** Claim a device with the id and pairing code on its box: the claimer becomes its owner. */
export function AddDevicePage() {
  const { api } = useApp();
  const remote = useRemote();
  const [deviceId, setDeviceId] = useState('');
  const [code, setCode] = useState('');
  const id = deviceId.trim().toLowerCase();
  const idProblem =
    id !== '' && !/^[0-9a-f]{16}$/.test(id) ? 'A device id is 16 characters, 0-9 and a-f.' : undefined;
  const claim = useAction(async () => {
    await api.claim(id, code.trim());
    await remote.refresh();
    navigate(`/devices/${id}`);
  });
  return (
    <section class="page narrow">
      <h1>Add a device</h1>
      <p>The device id and its pairing code are on the sticker on the box.</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!idProblem) void claim.run();
        }}
      >
        <Field
          label="Device id"
          required
          autoComplete="off"
          spellcheck={false}
          placeholder="0a1b2c3d4e5f6071"
          value={deviceId}
          onValue={setDeviceId}
          error={idProblem}
        />
        <Field
          label="Pairing code"
          required
          autoComplete="off"
          spellcheck={false}
          minLength={12}
          maxLength={20}
          value={code}
          onValue={setCode}
          error={fieldError(claim.error, '/pairingCode')}
        />
        <ErrorNote error={claim.error} />
        <Submit busy={claim.busy}>Add device</Submit>
      </form>
    </section>
  );
}
