import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Page, PageRequest } from '../store/page.js';
import type { CommunityContext } from './context.js';
import type { ReleaseTestingFacts } from './ports.js';
import * as comments from './store-comments.js';

/** Credit for one written report on a beta release: a day of testing. */
export const CREDIT_PER_FEEDBACK = 24;

export interface ReleaseTestingView extends ReleaseTestingFacts {
  readonly channel: 'none' | 'beta' | 'stable';
  /** Owners' comments written from a device running the release, and by how many owners. */
  readonly feedback: { readonly comments: number; readonly authors: number };
}

export interface TesterCredit {
  /** Device-hours (rounded) plus CREDIT_PER_FEEDBACK per comment written on a beta release. */
  readonly credit: number;
  readonly deviceHours: number;
  readonly feedback: number;
  readonly releases: Array<{
    readonly releaseId: string;
    readonly modelId: string;
    readonly version: string;
    readonly devices: number;
    readonly deviceHours: number;
    readonly feedback: number;
  }>;
}

/**
 * Tester credit from the field (issue 15): the devices testers kept on a beta release, online and
 * reporting, and the feedback they wrote from it. The partner sees it per release; a user sees its
 * own credit.
 */
export class BetaTesting {
  readonly #c: CommunityContext;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  async release(caller: Identity, releaseId: string): Promise<ReleaseTestingView> {
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', "a release's testing is for its partner");
    const facts = await this.#c.releases.release(caller, releaseId);
    return this.#view(facts.channel, await this.#c.releases.testing(caller, releaseId));
  }

  /** The model's releases that went to beta or stable: tested by how many devices for how long. */
  async model(caller: Identity, modelId: string, page: PageRequest): Promise<Page<ReleaseTestingView>> {
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', "a model's beta testing is for its partner");
    const released = await this.#c.releases.released(caller, modelId, page);
    const items: ReleaseTestingView[] = [];
    for (const release of released.items) {
      items.push(
        await this.#view(release.channel, await this.#c.releases.testing(caller, release.releaseId)),
      );
    }
    return { items, next: released.next };
  }

  async #view(channel: ReleaseTestingView['channel'], t: ReleaseTestingFacts): Promise<ReleaseTestingView> {
    return { ...t, channel, feedback: await comments.feedbackOfRelease(this.#c.store, t.modelId, t.version) };
  }

  async credit(caller: Identity): Promise<TesterCredit> {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'tester credit belongs to users');
    const tested = await this.#c.releases.testedBy(caller.userId);
    const written = await comments.feedbackOfUser(this.#c.store, caller.userId);
    const feedbackOf = (modelId: string, version: string) =>
      Number(written.find((w) => w.model_id === modelId && w.firmware_version === version)?.n ?? 0);
    const releases = tested.map((t) => ({
      releaseId: t.releaseId,
      modelId: t.modelId,
      version: t.version,
      devices: t.keptDevices,
      deviceHours: t.deviceHours,
      feedback: feedbackOf(t.modelId, t.version),
    }));
    const deviceHours = Math.round(releases.reduce((sum, r) => sum + r.deviceHours, 0) * 10_000) / 10_000;
    const feedback = releases.reduce((sum, r) => sum + r.feedback, 0);
    return {
      credit: Math.round(deviceHours) + CREDIT_PER_FEEDBACK * feedback,
      deviceHours,
      feedback,
      releases,
    };
  }
}
