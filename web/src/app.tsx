import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { UserApi } from './api/client.js';
import { Http } from './api/http.js';
import type { Session } from './api/types.js';
import { ConsoleApi } from './console/api.js';
import {
  type ConsoleSession,
  clearConsoleSession,
  loadConsoleSession,
  saveConsoleSession,
} from './console/session.js';
import { Remote } from './live/remote.js';
import { Routes } from './routes.js';
import { clearSession, loadSession, saveSession, type UserSession } from './state/session.js';
import { navigate } from './ui/router.js';
import { Shell } from './ui/shell.js';

export interface AppContextValue {
  readonly api: UserApi;
  readonly session: UserSession | undefined;
  readonly remote: Remote | undefined;
  /** Shown once on the next page (e.g. "your session ended"). */
  readonly notice: string | undefined;
  signIn(session: Session): void;
  signOut(): Promise<void>;
  /** Forgets the session here without asking the hub (it already ended: account deleted). */
  endSession(text?: string): void;
  /** The partner or operator signed in to a console in this tab. */
  readonly console: ConsoleSession | undefined;
  readonly consoleApi: ConsoleApi;
  signInConsole(session: ConsoleSession): void;
  signOutConsole(text?: string): void;
  setNotice(text: string | undefined): void;
}

const AppContext = createContext<AppContextValue | undefined>(undefined);

export function useApp(): AppContextValue {
  const app = useContext(AppContext);
  if (app === undefined) throw new Error('useApp outside <App>');
  return app;
}

/** The signed-in user's remote control; only pages behind sign-in call this. */
export function useRemote(): Remote {
  const { remote } = useApp();
  if (remote === undefined) throw new Error('useRemote without a signed-in user');
  return remote;
}

function mqttUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/mqtt`;
}

export function App() {
  const [session, setSession] = useState<UserSession | undefined>(() => loadSession());
  const [notice, setNotice] = useState<string | undefined>(undefined);

  // One Http for the app's life; it reads the token of the current session on every request.
  const token = useRef<string | undefined>(session?.token);
  const ended = useRef<() => void>(() => undefined);
  const api = useMemo(
    () => new UserApi(new Http({ token: () => token.current, unauthenticated: () => ended.current() })),
    [],
  );

  const [consoleSession, setConsoleSession] = useState<ConsoleSession | undefined>(() =>
    loadConsoleSession(),
  );
  const consoleToken = useRef<string | undefined>(consoleSession?.token);
  const consoleEnded = useRef<() => void>(() => undefined);
  const consoleApi = useMemo(
    () =>
      new ConsoleApi(
        new Http({ token: () => consoleToken.current, unauthenticated: () => consoleEnded.current() }),
      ),
    [],
  );
  const signOutConsole = useCallback((text?: string) => {
    const kind = loadConsoleSession()?.kind;
    clearConsoleSession();
    consoleToken.current = undefined;
    setConsoleSession(undefined);
    setNotice(text);
    navigate(kind === 'operator' ? '/operator' : '/partner', true);
  }, []);
  consoleEnded.current = () => signOutConsole('The key or token is no longer valid. Please sign in again.');

  const remote = useMemo(() => {
    if (session === undefined) return undefined;
    return new Remote({
      api,
      token: session.token,
      userId: session.user.id,
      mqttUrl: mqttUrl(),
      // The hub refused the live session: a REST call tells whether the sign-in itself ended.
      onRefused: () => void api.me().catch(() => undefined),
    });
  }, [api, session]);

  useEffect(() => {
    remote?.start();
    return () => remote?.stop();
  }, [remote]);

  const endLocally = useCallback((text?: string) => {
    clearSession();
    token.current = undefined;
    setSession(undefined);
    setNotice(text);
    navigate('/login', true);
  }, []);

  ended.current = () => endLocally('Your session has ended. Please sign in again.');

  const value: AppContextValue = {
    api,
    session,
    remote,
    notice,
    setNotice,
    signIn(s: Session) {
      const stored: UserSession = { kind: 'user', token: s.token, expiresAt: s.expiresAt, user: s.user };
      saveSession(stored);
      token.current = s.token;
      setNotice(undefined);
      setSession(stored);
    },
    console: consoleSession,
    consoleApi,
    signInConsole(c: ConsoleSession) {
      saveConsoleSession(c);
      consoleToken.current = c.token;
      setNotice(undefined);
      setConsoleSession(c);
    },
    signOutConsole,
    endSession: endLocally,
    async signOut() {
      try {
        await api.logout();
      } catch {
        // Signing out locally is what matters; the token expires on the hub anyway.
      }
      endLocally('You are signed out.');
    },
  };

  return (
    <AppContext.Provider value={value}>
      <Shell>
        <Routes />
      </Shell>
    </AppContext.Provider>
  );
}
