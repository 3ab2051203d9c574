export { type ClientOptions, EcohubClient } from './client.js';
export { EcohubError } from './errors.js';
export type {
  Command,
  CommandResult,
  DesiredState,
  DeviceEvent,
  DeviceState,
  Page,
  PresenceUpdate,
  ShadowUpdate,
  WatchHandlers,
} from './types.js';
