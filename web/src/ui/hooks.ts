import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/http.js';
import type { Observable } from '../live/observable.js';

/** Re-renders the component whenever `source` changes. */
export function useObservable(source: Observable | undefined): void {
  const [, setTick] = useState(0);
  useEffect(() => source?.subscribe(() => setTick((n) => n + 1)), [source]);
}

/** A message for a person, with the hub's error code first when there is one. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.code === 'NETWORK' ? err.message : `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export interface AsyncAction<A extends unknown[]> {
  readonly run: (...args: A) => Promise<boolean>;
  readonly busy: boolean;
  readonly error: unknown;
  readonly clear: () => void;
}

/** A user-triggered request: busy while it runs, its error kept for display, true when it worked. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>): AsyncAction<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(undefined);
      try {
        await action(...args);
        return true;
      } catch (err) {
        setError(err);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clear: () => setError(undefined) };
}

/** Data loaded when the component mounts (and when `deps` change), with reload. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const reload = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => setState({ error, loading: false }),
    );
  }, deps);
  useEffect(() => reload(), [reload]);
  return { ...state, reload };
}
