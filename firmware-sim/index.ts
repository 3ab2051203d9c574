export { type CommandOp, type CommandReply, executeCommand, type ReplyErrorCode } from './commands.js';
export {
  type ClientKind,
  type Connector,
  type ConnectParams,
  connectLean,
  connectMqttJs,
  type DeviceConnection,
  defaultConnector,
} from './connection.js';
export { SimulatedDevice } from './device.js';
export {
  type DeviceStatus,
  type DeviceTopics,
  deviceTopics,
  type ReportKind,
  type SimulatedDeviceEvents,
  type SimulatedDeviceInit,
} from './device-types.js';
export { type DevicesFile, parseDevicesFile } from './devices-file.js';
export { activeFaults, FAULT_NAMES, type FaultName, type Faults, parseFault } from './faults.js';
export { Fleet, type FleetOptions } from './fleet.js';
export {
  type FleetDeviceOptions,
  type FleetStats,
  LocalFleet,
  type LocalFleetOptions,
} from './fleet-local.js';
export { ConnackError, type LeanClientOptions, LeanMqttClient } from './lean-client.js';
export { type LinkStatus, ReconnectingLink } from './link.js';
export { createMemoryLink, type MemoryLink, type PublishedMessage } from './memory-connection.js';
export {
  type BackoffOptions,
  type DeviceCounters,
  type DeviceCredentials,
  emptyCounters,
  type SimulatedDeviceOptions,
} from './options.js';
export { type OtaAttempt, OtaClient, type OtaClientOptions, type OtaFaults } from './ota.js';
export { type FleetPlan, type ProcessPlan, planFleet } from './plan.js';
export { createPrng, deriveSeed, type Prng } from './prng.js';
export { prepareSpec } from './spec.js';
export { DeviceState } from './state.js';
export { Ticker, type TickFn } from './ticker.js';
export { driftValue, initialValue, outOfRangeValue, randomValue, wrongFormatValue } from './values.js';
