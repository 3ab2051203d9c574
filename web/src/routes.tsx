import type { ComponentType } from 'preact';
import { useEffect } from 'preact/hooks';
import { useApp } from './app.js';
import { AccountPage } from './pages/account.js';
import { AddDevicePage } from './pages/add-device.js';
import { DevicePage } from './pages/device.js';
import { DevicesPage } from './pages/devices.js';
import { HomePage } from './pages/home.js';
import { HomesPage } from './pages/homes.js';
import { LoginPage, RegisterPage } from './pages/sign-in.js';
import { match, navigate, usePath } from './ui/router.js';

type Page = ComponentType<{ params: Record<string, string> }>;

interface Route {
  readonly pattern: string;
  readonly page: Page;
  /** Public pages are for signed-out visitors; the others need a signed-in user. */
  readonly public?: boolean;
  readonly title: string;
}

const ROUTES: readonly Route[] = [
  { pattern: '/login', page: LoginPage, public: true, title: 'Sign in' },
  { pattern: '/register', page: RegisterPage, public: true, title: 'Create account' },
  { pattern: '/', page: DevicesPage, title: 'Devices' },
  { pattern: '/devices/:deviceId', page: DevicePage, title: 'Device' },
  { pattern: '/add', page: AddDevicePage, title: 'Add device' },
  { pattern: '/homes', page: HomesPage, title: 'Homes' },
  { pattern: '/homes/:homeId', page: HomePage, title: 'Home' },
  { pattern: '/account', page: AccountPage, title: 'Account' },
];

function NotFound() {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <a href="/">Back to your devices</a>.
      </p>
    </section>
  );
}

export function Routes() {
  const path = usePath();
  const { session } = useApp();
  const found = ROUTES.map((route) => ({ route, params: match(route.pattern, path) })).find((r) => r.params);
  const route = found?.route;
  const redirect =
    route === undefined
      ? undefined
      : route.public && session
        ? '/'
        : !route.public && !session
          ? loginFor(path)
          : undefined;

  useEffect(() => {
    if (redirect !== undefined) navigate(redirect, true);
  }, [redirect]);
  useEffect(() => {
    document.title = `${route?.title ?? 'Not found'} · ecohub`;
  }, [route]);

  if (route === undefined || found?.params === undefined) return <NotFound />;
  if (redirect !== undefined) return null;
  const Page = route.page;
  return <Page params={found.params} />;
}

function loginFor(path: string): string {
  return path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}
