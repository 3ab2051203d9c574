import type { Logger } from 'pino';
import type { RegistryBus } from '../registry/events.js';
import { type ExecutionEngine, FIRMWARE_KEY } from './executions.js';

/**
 * Firmware listens to the registry's events: a report carrying the firmware revision is the proof
 * of an update; presence and error events are the field health rollouts are judged on.
 */
export function linkFirmwareToRegistry(bus: RegistryBus, engine: ExecutionEngine, log: Logger): () => void {
  const reported = (e: { deviceId: string; props: Record<string, unknown> }) => {
    // Most reports carry no firmware revision: no promise per report for them (the ingest hot path).
    if (typeof e.props[FIRMWARE_KEY] !== 'string') return;
    engine
      .reported(e.deviceId, e.props)
      .catch((err: unknown) => log.error({ err, deviceId: e.deviceId }, 'firmware report handling failed'));
  };
  const presence = (e: { deviceId: string; online: boolean; at: number }) =>
    engine.presence(e.deviceId, e.online, e.at);
  const event = (e: { deviceId: string; event: string }) => engine.event(e.deviceId, e.event);
  bus.on('reported', reported);
  bus.on('presence', presence);
  bus.on('event', event);
  return () => {
    bus.off('reported', reported);
    bus.off('presence', presence);
    bus.off('event', event);
  };
}
