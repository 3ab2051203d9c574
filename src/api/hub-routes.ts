import type { CertificationService } from '../certification/service.js';
import type { FlashService } from '../commerce/flash-service.js';
import type { CommerceService } from '../commerce/service.js';
import type { Community } from '../community/index.js';
import type { HubOptions } from '../config.js';
import type { Firmware } from '../firmware/service.js';
import type { IdentityService } from '../identity/service.js';
import type { HubMetrics } from '../metrics.js';
import type { LedgerService } from '../partners/ledger.js';
import type { PartnerService } from '../partners/service.js';
import type { StatementService } from '../partners/statements.js';
import type { Control } from '../registry/control/index.js';
import { UserDeviceViews } from '../registry/control/views.js';
import type { DeviceService } from '../registry/devices/service.js';
import type { HomeService } from '../registry/homes/service.js';
import type { ModelService } from '../registry/models/service.js';
import type { TelemetryService } from '../registry/telemetry/service.js';
import type { Engine } from '../store/engine.js';
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

/** The domain services the REST API serves (built by the composition root, src/hub.ts). */
export interface HubServices {
  readonly options: Pick<HubOptions, 'now' | 'webRoot'>;
  readonly store: Engine;
  readonly identities: IdentityService;
  readonly devices: DeviceService;
  readonly telemetry: TelemetryService;
  readonly control: Control;
  readonly homes: HomeService;
  readonly metrics: HubMetrics;
  readonly partners: PartnerService;
  readonly models: ModelService;
  readonly certification: CertificationService;
  readonly commerce: CommerceService;
  readonly ledger: LedgerService;
  readonly statements: StatementService;
  readonly flash: FlashService;
  readonly community: Community;
  readonly firmware: Firmware;
}

/** Every resource's routes but the health probes (those ask the broker and the cluster). */
export function hubRoutes(api: App, services: HubServices): void {
  const {
    options,
    store,
    identities,
    devices,
    telemetry,
    control,
    homes,
    metrics,
    partners,
    models,
    certification,
    commerce,
    ledger,
    statements,
    flash,
    community,
    firmware,
  } = services;
  authRoutes(api, identities);
  operatorTokenRoutes(api, identities.operators);
  deviceRoutes(api, { devices, telemetry });
  controlRoutes(api, control);
  desiredRoutes(api, control);
  myDeviceRoutes(api, {
    control,
    views: new UserDeviceViews(devices, control, (userId) => homes.placementsFor(userId)),
    telemetry,
  });
  metricsRoutes(api, metrics);
  partnerApplicationRoutes(api, partners);
  partnerRoutes(api, partners);
  partnerKeyRoutes(api, partners);
  partnerContractRoutes(api, partners);
  modelRoutes(api, models, {
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
  catalogRoutes(api, models);
  commerceCatalogRoutes(api, commerce.catalog);
  commerceOrderRoutes(api, commerce);
  commercePaymentRoutes(api, commerce);
  ledgerRoutes(api, { ledger, statements });
  flashSaleRoutes(api, flash);
  flashBatchRoutes(api, flash);
  flashPaymentRoutes(api, { flash, verifyWebhook: (h, raw) => commerce.verifyWebhook(h, raw) });
  homeRoutes(api, homes);
  communityRoutes(api, community);
  firmwarePackageRoutes(api, firmware);
  firmwareRolloutRoutes(api, firmware);
  firmwareDownloadRoutes(api, { firmware, store, now: options.now });
  firmwareDeviceRoutes(api, firmware);
  registerWebApp(api, { root: options.webRoot ?? undefined });
}
