import type { Firmware } from '../firmware/service.js';
import type { HubContext } from '../hub-context.js';
import type { HubMetrics } from '../metrics.js';
import type { Control } from '../registry/control/index.js';
import type { DeviceService } from '../registry/devices/service.js';
import type { ModelService } from '../registry/models/service.js';
import type { TelemetryService } from '../registry/telemetry/service.js';
import { firmwareReleases } from './firmware-facts.js';
import { type Community, createCommunity } from './index.js';
import { registryFacts } from './registry-facts.js';

/** What the hub hands the community: the registry it reads, firmware releases, owners' inboxes. */
export interface CommunityWiring extends HubContext {
  readonly devices: DeviceService;
  readonly control: Control;
  readonly models: ModelService;
  readonly telemetry: TelemetryService;
  readonly firmware: Firmware;
  readonly metrics: HubMetrics;
}

/** Opens the community and links it to firmware releases and registry events (docs/community.md). */
export async function wireCommunity(wiring: CommunityWiring): Promise<Community> {
  const { options, bus, devices, control, models, telemetry, firmware, publishJson, started } = wiring;
  const community = await createCommunity({
    store: wiring.store,
    log: wiring.log.child({ module: 'community' }),
    now: options.now,
    registry: registryFacts({
      devices,
      control,
      models,
      telemetry,
      accessible: async (userId) => control.access.devices(userId),
      now: options.now,
    }),
    releases: firmwareReleases(firmware),
    notifier: { toUser: (userId, notice) => publishJson(`app/${userId}/notifications`, notice) },
    metricsRegistry: wiring.metrics.registry,
    limits: {
      postsPerHour: options.limits.communityPostsPerHour,
      commentsPerHour: options.limits.communityCommentsPerHour,
      votesPerHour: options.limits.communityVotesPerHour,
    },
  });
  started.push(() => community.stop());
  // A release entering beta or stable moves its linked posts and tells their voters (issue 15).
  started.push(
    firmware.beta.onRelease(async (packageId, channel) => {
      if (channel === 'beta') await community.releases.releaseInBeta(packageId);
      else await community.releases.releaseOnStable(packageId);
    }),
  );
  await community.releases.catchUp();
  bus.on('access', ({ userIds }) => community.verifier.accessChanged(userIds));
  bus.on('reported', ({ deviceId, props }) => {
    const firmware = props['device-information.firmware-revision'];
    if (typeof firmware === 'string') community.reach.firmwareReported(deviceId, firmware);
  });
  return community;
}
