import type { Firmware } from '../firmware/service.js';
import type { HubContext } from '../hub-context.js';
import type { HubMetrics } from '../metrics.js';
import { findDevice } from '../registry/devices/store.js';
import { findModelSpec } from '../registry/models/service.js';
import { VERSION } from '../version.js';
import type { DeviceLink } from './device-link.js';
import { certificationFirmwareLink } from './firmware-adapter.js';
import { publishRunProgress } from './progress.js';
import { QualityRecorder } from './quality/recorder.js';
import { ScorecardService } from './quality/scorecards.js';
import { CertificationService } from './service.js';

/**
 * The quality recorder behind the scorecards: counts per model from presence (here), rejected
 * reports (the telemetry service) and command outcomes (the broker's probe).
 */
export function wireQuality(wiring: HubContext & { readonly metrics: HubMetrics }): QualityRecorder {
  const { store, options } = wiring;
  const quality = new QualityRecorder({
    store,
    log: wiring.log.child({ module: 'quality' }),
    owner: async (deviceId) => {
      const row = await findDevice(store, deviceId);
      return row && { modelId: row.model_id, partnerId: row.partner_id };
    },
    now: options.now,
    registry: wiring.metrics.registry,
  });
  wiring.started.push(() => quality.close());
  wiring.bus.on('presence', ({ deviceId, online, at }) => quality.presence(deviceId, online, at));
  return quality;
}

/** What the hub hands certification beside its context: how it reaches devices, firmware, quality. */
export interface CertificationWiring extends HubContext {
  readonly metrics: HubMetrics;
  /** How runs talk to the device under test (the broker's side: src/broker/device-link.ts). */
  readonly link: DeviceLink;
  /** Whether any MQTT session would receive a topic (progress is published only then). */
  readonly watched: (topic: string) => boolean;
  readonly quality: QualityRecorder;
  readonly firmware: Firmware;
  /** The hub's public base URL (the update cases' download links), known once the hub listens. */
  readonly httpUrl: () => string;
}

/**
 * Starts certification (runs against live devices, signed reports: docs/certification.md) and its
 * progress messages. The hub stops it itself, before the broker its runs talk through.
 */
export async function wireCertification(wiring: CertificationWiring): Promise<CertificationService> {
  const { store, options, metrics, publishJson } = wiring;
  const certification = new CertificationService({
    store,
    log: wiring.log.child({ module: 'certification' }),
    link: wiring.link,
    registry: {
      modelVersion: (modelId, version) => findModelSpec(store, modelId, version),
      device: async (deviceId) => {
        const row = await findDevice(store, deviceId);
        return row && { partnerId: row.partner_id, modelId: row.model_id, version: row.model_version };
      },
    },
    scorecards: new ScorecardService(store, options.now, () => wiring.quality.flush()),
    firmware: certificationFirmwareLink(wiring.firmware, store, wiring.httpUrl, (t, b) => publishJson(t, b)),
    metrics: metrics.registry,
    hubVersion: VERSION,
    now: options.now,
  });
  await certification.start();
  wiring.started.push(
    publishRunProgress(certification.events, {
      publish: publishJson,
      watched: wiring.watched,
      metrics: metrics.registry,
    }),
  );
  return certification;
}
