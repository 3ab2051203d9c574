/**
 * The app's sections. Each console has its own list; a page that lands later (store and flash
 * sales, community, firmware updates, certification) adds one entry here and one route in
 * routes.tsx, nothing else.
 */
export interface NavItem {
  readonly path: string;
  readonly label: string;
  /** An icon from ui/icons.tsx. */
  readonly icon: IconName;
  /** Paths below this one highlight the entry too (`/devices/...` under Devices). */
  readonly prefixes?: readonly string[];
}

export type IconName =
  | 'devices'
  | 'home'
  | 'add'
  | 'account'
  | 'store'
  | 'community'
  | 'firmware'
  | 'models'
  | 'sales'
  | 'inbox'
  | 'partners'
  | 'check'
  | 'calendar';

export const USER_NAV: readonly NavItem[] = [
  { path: '/', label: 'Devices', icon: 'devices', prefixes: ['/devices/'] },
  { path: '/homes', label: 'Homes', icon: 'home', prefixes: ['/homes/'] },
  { path: '/add', label: 'Add device', icon: 'add' },
  { path: '/community', label: 'Community', icon: 'community' },
  { path: '/store', label: 'Store', icon: 'store' },
  { path: '/account', label: 'Account', icon: 'account' },
];

/** The partner console (API key). Certification runs, firmware and rollouts, scorecards and posts slot in here. */
export const PARTNER_NAV: readonly NavItem[] = [
  { path: '/partner', label: 'Models', icon: 'models', prefixes: ['/partner/models/'] },
  { path: '/partner/provisioning', label: 'Provisioning', icon: 'devices' },
  { path: '/partner/sales', label: 'Sales', icon: 'sales' },
  { path: '/partner/certification', label: 'Certification', icon: 'check' },
  { path: '/partner/scorecard', label: 'Scorecard', icon: 'sales' },
  { path: '/partner/flash', label: 'Flash sales', icon: 'store' },
  { path: '/partner/firmware', label: 'Firmware', icon: 'firmware', prefixes: ['/partner/firmware/'] },
];

/** The operator console (operator token). Scorecards side by side slot in here. */
export const OPERATOR_NAV: readonly NavItem[] = [
  { path: '/operator', label: 'Applications', icon: 'inbox' },
  { path: '/operator/partners', label: 'Partners', icon: 'partners', prefixes: ['/operator/partners/'] },
  { path: '/operator/certification', label: 'Certification', icon: 'check' },
  { path: '/operator/months', label: 'Months', icon: 'calendar' },
  { path: '/operator/scorecards', label: 'Scorecards', icon: 'sales' },
];

/** Which console a path belongs to, if any. */
export function consoleOf(path: string): 'partner' | 'operator' | undefined {
  if (path === '/partner' || path.startsWith('/partner/')) return 'partner';
  if (path === '/operator' || path.startsWith('/operator/')) return 'operator';
  return undefined;
}

export function isActive(item: NavItem, path: string): boolean {
  if (item.path === path) return true;
  return (item.prefixes ?? []).some((p) => path.startsWith(p));
}
