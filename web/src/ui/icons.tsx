import type { IconName } from './nav.js';

// 24x24 outline icons drawn for this app; decorative (the text beside them is the label).
const PATHS: Record<IconName, string> = {
  devices: 'M4 5h16v10H4zM9 19h6M12 15v4',
  home: 'M3 11l9-7 9 7M5 10v10h5v-6h4v6h5V10',
  add: 'M12 5v14M5 12h14',
  account: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c1-4 4-6 8-6s7 2 8 6',
  store: 'M4 8h16l-1 12H5zM8 8a4 4 0 0 1 8 0',
  community: 'M4 5h16v11H9l-5 4z',
  firmware: 'M12 3v12M7 10l5 5 5-5M5 21h14',
  models: 'M12 3l8 4.5v9L12 21l-8-4.5v-9zM12 12l8-4.5M12 12v9M12 12L4 7.5',
  sales: 'M4 19V5M4 19h16M8 15l4-4 3 3 5-6',
  inbox: 'M4 13l3-8h10l3 8v6H4zM4 13h5l1 2h4l1-2h5',
  partners:
    'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20c.5-3 3-5 6-5s5.5 2 6 5M16 5a3 3 0 0 1 0 6M18 15c2 .5 3 2.5 3.5 5',
  check: 'M5 12l4 4 10-10',
  calendar: 'M4 6h16v14H4zM4 10h16M8 3v4M16 3v4',
};

export function Icon({ name }: { name: IconName }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <path
        d={PATHS[name]}
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}
