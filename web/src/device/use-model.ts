import { useEffect, useState } from 'preact/hooks';
import type { DeviceState } from '../api/types.js';
import type { Remote } from '../live/remote.js';
import type { CompiledSpec } from '../spec/model.js';
import { errorText } from '../ui/hooks.js';

/** The compiled spec of a device's model version, loaded once per model version. */
export function useModel(
  remote: Remote,
  state: DeviceState | undefined,
): { spec?: CompiledSpec; error?: string } {
  const [result, setResult] = useState<{ spec?: CompiledSpec; error?: string }>({});
  const key = state ? `${state.modelId}@${state.modelVersion}` : '';
  useEffect(() => {
    if (state === undefined) return;
    let cancelled = false;
    remote.model(state).then(
      (spec) => !cancelled && setResult({ spec }),
      (err: unknown) => !cancelled && setResult({ error: errorText(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [remote, key]);
  return result;
}
