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
