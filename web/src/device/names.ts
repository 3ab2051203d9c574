import type { DeviceState } from '../api/types.js';
import { type CompiledSpec, localizedName } from '../spec/model.js';

/** How a device is called in lists: its model's name and the end of its id, to tell twins apart. */
export function deviceTitle(spec: CompiledSpec | undefined, state: DeviceState): string {
  return spec ? localizedName(spec) : state.modelId;
}

export function shortId(deviceId: string): string {
  return `#${deviceId.slice(-4)}`;
}

export function whereText(state: DeviceState): string {
  if (state.placement === null) return 'Not in a home';
  return state.placement.roomName
    ? `${state.placement.homeName} · ${state.placement.roomName}`
    : state.placement.homeName;
}
