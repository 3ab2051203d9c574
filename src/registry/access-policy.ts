import type {
  BrokerPolicy,
  ConnectAttempt,
  ConnectDecision,
  MqttSession,
  PublishAdmission,
} from '../broker/policy.js';
import type { IdentityService } from '../identity/service.js';

/** Username a phone app connects with; the password is the user's access token. */
export const TOKEN_USERNAME = 'token';

export interface AccessPolicyDeps {
  readonly identities: IdentityService;
}

function inbox(userId: string): string {
  return `app/${userId}/`;
}

/**
 * Who may connect and which topics each identity may touch. Deny by default: anything not
 * explicitly allowed here is refused.
 */
export function createAccessPolicy(deps: AccessPolicyDeps): BrokerPolicy {
  return {
    authenticate(attempt: ConnectAttempt): ConnectDecision {
      if (attempt.username === undefined || attempt.password === undefined) {
        return { ok: false, refusal: 'bad-credentials', reason: 'anonymous connections are not allowed' };
      }
      if (attempt.username !== TOKEN_USERNAME) {
        return { ok: false, refusal: 'bad-credentials', reason: 'unknown username' };
      }
      const identity = deps.identities.resolveUserToken(attempt.password.toString('utf8'));
      if (identity?.kind !== 'user') {
        return { ok: false, refusal: 'bad-credentials', reason: 'unknown, revoked or expired access token' };
      }
      if (attempt.willTopic !== undefined && !attempt.willTopic.startsWith(inbox(identity.userId))) {
        return {
          ok: false,
          refusal: 'not-authorized',
          reason: `will topic ${attempt.willTopic} is not allowed`,
        };
      }
      return { ok: true, session: { kind: 'user', userId: identity.userId, tokenId: identity.tokenId } };
    },

    admitPublish(_session: MqttSession, topic: string): PublishAdmission {
      return `no publish rule allows ${topic}`;
    },

    subscribeDenied(session: MqttSession, filter: string): string | undefined {
      if (session.kind === 'user' && filter.startsWith(inbox(session.userId))) return undefined;
      return `no subscribe rule allows ${filter}`;
    },

    mayReceive(session: MqttSession, topic: string): boolean {
      return session.kind === 'user' && topic.startsWith(inbox(session.userId));
    },

    sessionStarted(): void {},
    sessionEnded(): void {},
  };
}
