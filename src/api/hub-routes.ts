import type { Logger } from 'pino';
import type { CertificationService } from '../certification/service.js';
import type { CommerceServices } from '../commerce/wiring.js';
import type { Community } from '../community/index.js';
import type { HubOptions } from '../config.js';
import type { Firmware } from '../firmware/service.js';
import { ADMIN_TOKEN_PREFIX, type IdentityService, USER_TOKEN_PREFIX } from '../identity/service.js';
import type { HubMetrics } from '../metrics.js';
import { API_KEY_PREFIX, type PartnerService } from '../partners/service.js';
import type { Control } from '../registry/control/index.js';
import { UserDeviceViews } from '../registry/control/views.js';
import type { DeviceService } from '../registry/devices/service.js';
import type { HomeService } from '../registry/homes/service.js';
import type { ModelService } from '../registry/models/service.js';
import type { TelemetryService } from '../registry/telemetry/service.js';
import type { Engine } from '../store/engine.js';
import { VERSION } from '../version.js';
import { buildApi } from './app.js';
import { authRoutes } from './routes/auth.js';
import { catalogRoutes } from './routes/catalog.js';
import { certificationRoutes } from './routes/certification.js';
import { certificationDownloadRoutes } from './routes/certification-downloads.js';
import { commerceCatalogRoutes } from './routes/commerce-catalog.js';
import { commerceOrderRoutes } from './routes/commerce-orders.js';
import { commercePaymentRoutes } from './routes/commerce-payments.js';
import { communityRoutes } from './routes/community.js';
import { controlRoutes } from './routes/control.js';
import { desiredRoutes } from './routes/desired.js';
import { deviceRoutes } from './routes/devices.js';
import { firmwareDeviceRoutes } from './routes/firmware-devices.js';
import { firmwareDownloadRoutes } from './routes/firmware-downloads.js';
import { firmwarePackageRoutes } from './routes/firmware-packages.js';
import { firmwareRolloutRoutes } from './routes/firmware-rollouts.js';
import { flashBatchRoutes } from './routes/flash-batches.js';
import { flashPaymentRoutes } from './routes/flash-payments.js';
import { flashSaleRoutes } from './routes/flash-sales.js';
import { type HealthDeps, healthRoutes } from './routes/health.js';
import { homeRoutes } from './routes/homes.js';
import { ledgerRoutes } from './routes/ledger.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/models.js';
import { myDeviceRoutes } from './routes/my-devices.js';
import { operatorTokenRoutes } from './routes/operator-tokens.js';
import { partnerApplicationRoutes } from './routes/partner-applications.js';
import { partnerContractRoutes } from './routes/partner-contracts.js';
import { partnerKeyRoutes } from './routes/partner-keys.js';
import { partnerRoutes } from './routes/partners.js';
import { scorecardRoutes } from './routes/scorecards.js';
import type { App } from './types.js';
import { registerWebApp } from './web-app.js';

/**
 * The domain services a hub is made of, built once by the composition root (src/hub.ts): what the
 * REST API serves, and what a `Hub` exposes to in-process callers and tests.
 */
export interface HubServices extends CommerceServices {
  readonly options: HubOptions;
  /** The store engine (SQLite or PostgreSQL, from --database) every domain's store runs on. */
  readonly store: Engine;
  readonly identities: IdentityService;
  readonly partners: PartnerService;
  readonly models: ModelService;
  readonly devices: DeviceService;
  readonly telemetry: TelemetryService;
  readonly control: Control;
  /** Homes, rooms, members and device placement. */
  readonly homes: HomeService;
  readonly metrics: HubMetrics;
  /** Firmware packages, rollouts, executions and the beta channel (docs/ota.md). */
  readonly firmware: Firmware;
  /** Co-creation: owners' posts and votes per model, release links, inboxes (docs/community.md). */
  readonly community: Community;
  /** Certification runs against live devices, signed reports (docs/certification.md). */
  readonly certification: CertificationService;
}

/** The hub's REST API: who each kind of credential is, the health probes, every resource's routes. */
export function buildHubApi(services: HubServices, log: Logger, health: HealthDeps): Promise<App> {
  const { options, identities } = services;
  return buildApi(
    {
      log: log.child({ module: 'http' }),
      auth: {
        resolvers: {
          [USER_TOKEN_PREFIX]: identities.resolveUserToken,
          [ADMIN_TOKEN_PREFIX]: identities.operators.resolve,
          [API_KEY_PREFIX]: services.partners.resolveApiKey,
        },
        fallback: identities.operators.resolve,
      },
      publicUrl: options.publicUrl,
      bodyLimit: options.limits.httpBodyBytes,
      trustProxy: options.trustProxy,
      version: VERSION,
    },
    (api) => {
      healthRoutes(api, health);
      hubRoutes(api, services);
    },
  );
}

/** Every resource's routes but the health probes (those ask the broker and the cluster). */
export function hubRoutes(api: App, s: HubServices): void {
  authRoutes(api, s.identities);
  operatorTokenRoutes(api, s.identities.operators);
  deviceRoutes(api, { devices: s.devices, telemetry: s.telemetry });
  controlRoutes(api, s.control);
  desiredRoutes(api, s.control);
  myDeviceRoutes(api, {
    control: s.control,
    views: new UserDeviceViews(s.devices, s.control, (userId) => s.homes.placementsFor(userId)),
    telemetry: s.telemetry,
  });
  metricsRoutes(api, s.metrics);
  partnerApplicationRoutes(api, s.partners);
  partnerRoutes(api, s.partners);
  partnerKeyRoutes(api, s.partners);
  partnerContractRoutes(api, s.partners);
  const { certification } = s;
  modelRoutes(api, s.models, {
    basis: (modelId, version, override) => certification.certificationBasis(modelId, version, override),
    record: (caller, modelId, version, basis, note) =>
      certification.recordDecision(
        caller,
        modelId,
        version,
        basis as Parameters<CertificationService['recordDecision']>[3],
        note,
      ),
  });
  certificationRoutes(api, certification);
  certificationDownloadRoutes(api, certification.tampered);
  scorecardRoutes(api, certification.scorecards);
  catalogRoutes(api, s.models);
  commerceCatalogRoutes(api, s.commerce.catalog);
  commerceOrderRoutes(api, s.commerce);
  commercePaymentRoutes(api, s.commerce);
  ledgerRoutes(api, { ledger: s.ledger, statements: s.statements });
  flashSaleRoutes(api, s.flash);
  flashBatchRoutes(api, s.flash);
  flashPaymentRoutes(api, { flash: s.flash, verifyWebhook: (h, raw) => s.commerce.verifyWebhook(h, raw) });
  homeRoutes(api, s.homes);
  communityRoutes(api, s.community);
  firmwarePackageRoutes(api, s.firmware);
  firmwareRolloutRoutes(api, s.firmware);
  firmwareDownloadRoutes(api, { firmware: s.firmware, store: s.store, now: s.options.now });
  firmwareDeviceRoutes(api, s.firmware);
  registerWebApp(api, { root: s.options.webRoot ?? undefined });
}
