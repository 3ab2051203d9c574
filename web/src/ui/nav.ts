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

export type IconName = 'devices' | 'home' | 'add' | 'account' | 'store' | 'community' | 'firmware';

export const USER_NAV: readonly NavItem[] = [
  { path: '/', label: 'Devices', icon: 'devices', prefixes: ['/devices/'] },
  { path: '/homes', label: 'Homes', icon: 'home', prefixes: ['/homes/'] },
  { path: '/add', label: 'Add device', icon: 'add' },
  { path: '/account', label: 'Account', icon: 'account' },
];

export function isActive(item: NavItem, path: string): boolean {
  if (item.path === path) return true;
  return (item.prefixes ?? []).some((p) => path.startsWith(p));
}
