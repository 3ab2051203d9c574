/** The ecohub package: embed a hub (`createHub`) or talk to one (`ecohub/sdk`). */
export { DEFAULT_LIMITS, DEFAULTS, type HubInput, type HubLimits, type HubOptions } from './config.js';
export { type ErrorCode, errorTable, HubError } from './errors.js';
export { createHub, type Hub } from './hub.js';
export { EcohubClient, EcohubError } from './sdk/index.js';
