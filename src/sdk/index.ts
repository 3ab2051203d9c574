export { type ClientOptions, EcohubClient } from './client.js';
export type { CommunityApi, CommunityComment, CommunityNotice, CommunityPost } from './community.js';
export { EcohubError } from './errors.js';
export type { DeviceFirmware, DeviceUpdate, FirmwareApi, TesterCredit } from './firmware.js';
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
