import type { Identity } from '../identity/identity.js';
import type { IdentityService } from '../identity/service.js';
import type {
  BrokerPolicy,
  ConnectAttempt,
  ConnectDecision,
  MqttSession,
  PublishAdmission,
} from './broker-policy.js';
import type { Control } from './control/index.js';
import type { DeviceService } from './devices/service.js';
import { PARTNER_USERNAME, type PartnerAccess } from './partner-access.js';
import type { CompiledSpec } from './spec/index.js';
import type { TelemetryService } from './telemetry/service.js';

/** Username a phone app connects with; the password is the user's access token. */
export const TOKEN_USERNAME = 'token';

export interface AccessPolicyDeps {
  readonly identities: IdentityService;
  readonly devices: DeviceService;
  readonly telemetry: TelemetryService;
  readonly control: Control;
  readonly now: () => number;
  /** Counts PUBLISH packets by the kind of topic they were sent to. */
  readonly countPublish?: (kind: string) => void;
  /** `dev/{did}/ota/progress` (src/firmware): the PUBACK waits until the progress is stored. */
  readonly otaProgress?: (deviceId: string, payload: Buffer) => Promise<void>;
  /** Partner sessions (username `partner`, an API key): without it a partner cannot connect. */
  readonly partners?: PartnerAccess;
}

/** Topics a device publishes to, below `dev/{did}/` (docs/protocol.md). */
const DEVICE_UP = new Set(['props', 'events', 'replies', 'ota/progress']);
/** Topics a device subscribes to, below `dev/{did}/`. Exact filters only: no wildcards. */
const DEVICE_DOWN = new Set(['cmd', 'ota']);
/** Hub topics a phone may watch for each device bound to its user. */
const WATCHABLE = new Set(['presence', 'shadow', 'notify']);
/** Filters a phone may use below `dev/{did}/`: the hub topics, or a wildcard over them. */
const WATCH_FILTERS = new Set([...WATCHABLE, '+', '#']);

function inbox(userId: string): string {
  return `app/${userId}/`;
}

/** What may follow `app/{uid}/` in a phone's clientId: one level, like a device label. */
const PHONE_SUFFIX = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A phone's clientId lives in its user's namespace, so no identity can take over another's session
 * ([MQTT-3.1.4-2] closes the older connection with the same clientId): `app/{uid}` or
 * `app/{uid}/{label}`, or empty (cleanSession=1 only; the hub assigns a unique one).
 */
export function phoneClientIdAllowed(userId: string, clientId: string): boolean {
  if (clientId === '' || clientId === `app/${userId}`) return true;
  const prefix = inbox(userId);
  return clientId.startsWith(prefix) && PHONE_SUFFIX.test(clientId.slice(prefix.length));
}

/** The part of a topic below `dev/{did}/`, or undefined when the topic is outside that namespace. */
function deviceSubtopic(deviceId: string, topic: string): string | undefined {
  const prefix = `dev/${deviceId}/`;
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : undefined;
}

/** `dev/{did}/{rest}` split into did and rest, for topics of exactly three levels. */
function splitDeviceTopic(topic: string): { did: string; rest: string } | undefined {
  if (!topic.startsWith('dev/')) return undefined;
  const slash = topic.indexOf('/', 4);
  if (slash < 0) return undefined;
  const rest = topic.slice(slash + 1);
  if (rest.includes('/')) return undefined;
  return { did: topic.slice(4, slash), rest };
}

/**
 * Who may connect and which topics each identity may touch. Deny by default: anything not
 * explicitly allowed here is refused. Every check after CONNECT is a string comparison or a map
 * lookup: the hooks run for every message.
 */
export function createAccessPolicy(deps: AccessPolicyDeps): BrokerPolicy {
  const specs = new WeakMap<MqttSession, CompiledSpec>();
  const { access, commands } = deps.control;

  function willAllowed(session: MqttSession, willTopic: string | undefined): boolean {
    if (willTopic === undefined) return true;
    if (session.kind === 'partner') return false;
    if (session.kind === 'user') return willTopic.startsWith(inbox(session.userId));
    const sub = deviceSubtopic(session.deviceId, willTopic);
    return sub !== undefined && DEVICE_UP.has(sub);
  }

  function userDecision(identity: Identity | undefined, clientId: string): ConnectDecision {
    if (identity?.kind !== 'user') {
      return { ok: false, refusal: 'bad-credentials', reason: 'unknown, revoked or expired access token' };
    }
    if (!phoneClientIdAllowed(identity.userId, clientId)) {
      return {
        ok: false,
        refusal: 'identifier-rejected',
        reason: "a phone's clientId must be app/{uid} or app/{uid}/{label}",
      };
    }
    const { userId, tokenId, expiresAt } = identity;
    return { ok: true, session: { kind: 'user', userId, tokenId, expiresAt } };
  }

  function authenticate(attempt: ConnectAttempt): ConnectDecision | Promise<ConnectDecision> {
    if (attempt.username === undefined || attempt.password === undefined) {
      return { ok: false, refusal: 'bad-credentials', reason: 'anonymous connections are not allowed' };
    }
    if (attempt.username === PARTNER_USERNAME && deps.partners) return deps.partners.authenticate(attempt);
    if (attempt.username === TOKEN_USERNAME) {
      // From memory, or read once from the store for a token issued on another node.
      const identity = deps.identities.resolveUserToken(attempt.password.toString('utf8'));
      const clientId = attempt.clientId;
      const decide = (found: Identity | undefined): ConnectDecision | Promise<ConnectDecision> => {
        const decision = userDecision(found, clientId);
        if (!decision.ok || decision.session.kind !== 'user') return decision;
        // The user's devices are in memory before the session starts: the hooks after CONNECT never wait.
        return access.load(decision.session.userId).then(() => decision);
      };
      return identity instanceof Promise ? identity.then(decide) : decide(identity);
    }
    return deps.devices.authenticate(attempt.clientId, attempt.username, attempt.password).then((device) => {
      if (!device.ok) return device;
      const session: MqttSession = { kind: 'device', deviceId: device.deviceId };
      specs.set(session, device.spec);
      return { ok: true, session };
    });
  }

  function userMayWatch(userId: string, topic: string, filters: ReadonlySet<string>): boolean {
    const parts = splitDeviceTopic(topic);
    return parts !== undefined && filters.has(parts.rest) && access.peek(userId, parts.did) !== undefined;
  }

  return {
    authenticate(attempt: ConnectAttempt): ConnectDecision | Promise<ConnectDecision> {
      const willChecked = (decision: ConnectDecision): ConnectDecision =>
        decision.ok && !willAllowed(decision.session, attempt.willTopic)
          ? { ok: false, refusal: 'not-authorized', reason: `will topic ${attempt.willTopic} is not allowed` }
          : decision;
      const decision = authenticate(attempt);
      return decision instanceof Promise ? decision.then(willChecked) : willChecked(decision);
    },

    admitPublish(session: MqttSession, topic: string, payload: Buffer): PublishAdmission {
      if (session.kind === 'partner') {
        deps.countPublish?.('refused');
        return deps.partners?.admitPublish(session, topic) ?? 'no partner sessions';
      }
      if (session.kind === 'user') {
        if (session.expiresAt <= deps.now()) return `the access token of user ${session.userId} expired`;
        if (topic === `${inbox(session.userId)}cmd`) {
          deps.countPublish?.('cmd');
          commands.fromPhone(session.userId, payload);
          return undefined;
        }
        deps.countPublish?.('refused');
        return `user ${session.userId} may not publish to ${topic}`;
      }
      const sub = deviceSubtopic(session.deviceId, topic);
      if (sub === undefined || !DEVICE_UP.has(sub)) {
        deps.countPublish?.('refused');
        return `device ${session.deviceId} may not publish to ${topic}`;
      }
      deps.countPublish?.(sub);
      const spec = specs.get(session);
      if (!spec) return 'device session has no spec';
      if (sub === 'props') return deps.telemetry.admit(session.deviceId, spec, 'props', payload);
      if (sub === 'events') return deps.telemetry.admit(session.deviceId, spec, 'event', payload);
      if (sub === 'replies') commands.fromDevice(session.deviceId, payload);
      if (sub === 'ota/progress') return deps.otaProgress?.(session.deviceId, payload);
      return undefined;
    },

    async admitWill(clientId: string, topic: string, payload: Buffer): Promise<unknown> {
      const sub = deviceSubtopic(clientId, topic);
      if (sub !== 'props' && sub !== 'events') return undefined; // a phone's will: its own inbox
      const spec = await deps.devices.specOf(clientId);
      if (!spec) return undefined;
      deps.countPublish?.(sub);
      return deps.telemetry.admit(clientId, spec, sub === 'props' ? 'props' : 'event', payload);
    },

    subscribeDenied(session: MqttSession, filter: string): string | undefined {
      if (session.kind === 'partner')
        return deps.partners ? deps.partners.subscribeDenied(session, filter) : 'no partner sessions';
      if (session.kind === 'user') {
        if (session.expiresAt <= deps.now()) return 'the access token expired';
        if (filter.startsWith(inbox(session.userId)) || userMayWatch(session.userId, filter, WATCH_FILTERS))
          return undefined;
        return `no subscribe rule allows ${filter}`;
      }
      const sub = deviceSubtopic(session.deviceId, filter);
      return sub !== undefined && DEVICE_DOWN.has(sub) ? undefined : `device may not subscribe to ${filter}`;
    },

    subscribeReady(session: MqttSession): Promise<void> | undefined {
      return session.kind === 'user' && access.reloading(session.userId)
        ? access.load(session.userId)
        : undefined;
    },

    maxSubscriptions(session: MqttSession): number | undefined {
      return session.kind === 'partner' ? deps.partners?.maxSubscriptions : undefined;
    },

    mayReceive(session: MqttSession, topic: string): boolean {
      if (session.kind === 'partner') return deps.partners?.mayReceive(session, topic) === true;
      if (session.kind === 'user') {
        // Checked per delivery: revoking a share stops the next message, not the next subscribe.
        if (session.expiresAt <= deps.now()) return false;
        return topic.startsWith(inbox(session.userId)) || userMayWatch(session.userId, topic, WATCHABLE);
      }
      const sub = deviceSubtopic(session.deviceId, topic);
      return sub !== undefined && DEVICE_DOWN.has(sub);
    },

    sessionStarted(session: MqttSession): void {
      if (session.kind === 'device') deps.devices.connected(session.deviceId);
      else if (session.kind === 'partner') deps.partners?.started(session);
      else access.retain(session.userId);
    },

    sessionEnded(session: MqttSession): void {
      if (session.kind === 'device') deps.devices.disconnected(session.deviceId);
      else if (session.kind === 'partner') deps.partners?.ended(session);
      else access.release(session.userId);
    },

    sessionSubscribed(session: MqttSession, filters: readonly string[]): void {
      if (session.kind === 'device' && filters.includes(`dev/${session.deviceId}/cmd`)) {
        deps.control.deviceListening(session.deviceId);
      }
    },
  };
}
