/**
 * What the harness needs from the broker, owned here and implemented in src/broker/device-link.ts
 * (the composition root wires them): the device's raw traffic as it crosses the real broker, the
 * ability to send it raw commands the hub's own validation would never let through, to close its
 * connection, and to withhold its CONNACKs.
 */
export type DeviceTopic = 'props' | 'events' | 'replies' | 'ota/progress';

export interface DeviceObserver {
  /** A message the device published, before the hub validated it. */
  published?(topic: DeviceTopic, payload: Buffer, at: number): void;
  /** The device's connection was accepted (CONNACK 0 sent). */
  online?(at: number): void;
  /** The device's connection closed. */
  offline?(at: number): void;
  /** The device's subscriptions were granted. */
  subscribed?(filters: readonly string[], at: number): void;
}

export interface DeviceLink {
  /** Observes one device until the returned function is called. */
  watch(deviceId: string, observer: DeviceObserver): () => void;
  /** Publishes a command on `dev/{did}/cmd` (QoS 1) as the hub, unvalidated. */
  send(deviceId: string, command: unknown): Promise<void>;
  /** Closes the device's connection now; false when it has none. */
  disconnect(deviceId: string): boolean;
  isOnline(deviceId: string): boolean;
  /** The next `count` CONNECTs of the device are closed without CONNACK; each attempt is reported. */
  holdConnects(deviceId: string, count: number, attempt: (at: number, held: boolean) => void): void;
  releaseConnects(deviceId: string): void;
}
