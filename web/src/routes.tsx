import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from './app.js';
import { AccountPage } from './pages/account.js';
import { AddDevicePage } from './pages/add-device.js';
import { CommunityPage } from './pages/community.js';
import { DevicePage } from './pages/device.js';
import { DevicesPage } from './pages/devices.js';
import { HomePage } from './pages/home.js';
import { HomesPage } from './pages/homes.js';
import { LoginPage, RegisterPage } from './pages/sign-in.js';
import { StorePage } from './pages/store.js';
import { match, navigate, usePath } from './ui/router.js';

type Page = ComponentType<{ params: Record<string, string> }>;

interface Route {
  readonly pattern: string;
  readonly page: Page;
  /**
   * `public`: for signed-out visitors; `console`: partner and operator pages, which sign in with
   * their own credential; otherwise the page needs a signed-in user.
   */
  readonly access?: 'public' | 'console';
  readonly title: string;
}

/**
 * A page whose code loads when it is first shown: the consoles stay out of the bundle every phone
 * downloads.
 */
function lazyPage(load: () => Promise<Page>): Page {
  let loaded: Page | undefined;
  return function LazyPage(props: { params: Record<string, string> }) {
    const [Loaded, setLoaded] = useState<Page | undefined>(() => loaded);
    useEffect(() => {
      if (loaded === undefined) {
        void load().then((page) => {
          loaded = page;
          setLoaded(() => page);
        });
      }
    }, []);
    return Loaded ? <Loaded {...props} /> : <p class="page muted">Loading…</p>;
  };
}

const consolePages = {
  models: lazyPage(() => import('./console/partner-models.js').then((m) => m.PartnerModelsPage)),
  model: lazyPage(() => import('./console/partner-model.js').then((m) => m.PartnerModelPage)),
  provisioning: lazyPage(() =>
    import('./console/partner-provisioning.js').then((m) => m.PartnerProvisioningPage),
  ),
  sales: lazyPage(() => import('./console/partner-sales.js').then((m) => m.PartnerSalesPage)),
  flash: lazyPage(() => import('./console/partner-flash.js').then((m) => m.PartnerFlashPage)),
  applications: lazyPage(() =>
    import('./console/operator-applications.js').then((m) => m.OperatorApplicationsPage),
  ),
  partners: lazyPage(() => import('./console/operator-partners.js').then((m) => m.OperatorPartnersPage)),
  partner: lazyPage(() => import('./console/operator-partners.js').then((m) => m.OperatorPartnerPage)),
  certification: lazyPage(() =>
    import('./console/operator-work.js').then((m) => m.OperatorCertificationPage),
  ),
  months: lazyPage(() => import('./console/operator-work.js').then((m) => m.OperatorMonthsPage)),
  runs: lazyPage(() => import('./console/certification.js').then((m) => m.PartnerCertificationPage)),
  scorecard: lazyPage(() => import('./console/certification.js').then((m) => m.PartnerScorecardPage)),
  scorecards: lazyPage(() => import('./console/certification.js').then((m) => m.OperatorScorecardsPage)),
  firmware: lazyPage(() => import('./console/partner-firmware.js').then((m) => m.PartnerFirmwarePage)),
  rollout: lazyPage(() => import('./console/rollout-detail.js').then((m) => m.PartnerRolloutPage)),
};

const ROUTES: readonly Route[] = [
  { pattern: '/login', page: LoginPage, access: 'public', title: 'Sign in' },
  { pattern: '/register', page: RegisterPage, access: 'public', title: 'Create account' },
  { pattern: '/', page: DevicesPage, title: 'Devices' },
  { pattern: '/devices/:deviceId', page: DevicePage, title: 'Device' },
  { pattern: '/add', page: AddDevicePage, title: 'Add device' },
  { pattern: '/homes', page: HomesPage, title: 'Homes' },
  { pattern: '/homes/:homeId', page: HomePage, title: 'Home' },
  { pattern: '/community', page: CommunityPage, title: 'Community' },
  { pattern: '/store', page: StorePage, title: 'Store' },
  { pattern: '/account', page: AccountPage, title: 'Account' },
  { pattern: '/partner', page: consolePages.models, access: 'console', title: 'Models · partner console' },
  {
    pattern: '/partner/models/:modelId',
    page: consolePages.model,
    access: 'console',
    title: 'Model · partner console',
  },
  {
    pattern: '/partner/provisioning',
    page: consolePages.provisioning,
    access: 'console',
    title: 'Provisioning · partner console',
  },
  {
    pattern: '/partner/sales',
    page: consolePages.sales,
    access: 'console',
    title: 'Sales · partner console',
  },
  {
    pattern: '/partner/flash',
    page: consolePages.flash,
    access: 'console',
    title: 'Flash sales · partner console',
  },
  {
    pattern: '/operator',
    page: consolePages.applications,
    access: 'console',
    title: 'Applications · operator console',
  },
  {
    pattern: '/operator/partners',
    page: consolePages.partners,
    access: 'console',
    title: 'Partners · operator console',
  },
  {
    pattern: '/operator/partners/:partnerId',
    page: consolePages.partner,
    access: 'console',
    title: 'Partner · operator console',
  },
  {
    pattern: '/operator/certification',
    page: consolePages.certification,
    access: 'console',
    title: 'Certification · operator console',
  },
  {
    pattern: '/operator/months',
    page: consolePages.months,
    access: 'console',
    title: 'Months · operator console',
  },
  {
    pattern: '/partner/certification',
    page: consolePages.runs,
    access: 'console',
    title: 'Certification · partner console',
  },
  {
    pattern: '/partner/scorecard',
    page: consolePages.scorecard,
    access: 'console',
    title: 'Scorecard · partner console',
  },
  {
    pattern: '/partner/firmware',
    page: consolePages.firmware,
    access: 'console',
    title: 'Firmware · partner console',
  },
  {
    pattern: '/partner/firmware/rollouts/:rolloutId',
    page: consolePages.rollout,
    access: 'console',
    title: 'Rollout · partner console',
  },
  {
    pattern: '/operator/scorecards',
    page: consolePages.scorecards,
    access: 'console',
    title: 'Scorecards · operator console',
  },
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
  let redirect: string | undefined;
  if (route?.access === 'public' && session) redirect = '/';
  else if (route !== undefined && route.access === undefined && !session) redirect = loginFor(path);

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
