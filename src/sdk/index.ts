export { type ClientOptions, EcohubClient } from './client.js';
export { EcohubError } from './errors.js';
export type {
  Command,
  CommandResult,
  DesiredState,
  DeviceEvent,
  DeviceState,
  PresenceUpdate,
  ShadowUpdate,
  WatchHandlers,
} from './types.js';
