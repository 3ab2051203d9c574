import type { AuthenticateError, Client } from 'aedes';
import type { LogBudget } from '../log-budget.js';
import { clip, type LogThrottle } from '../log-throttle.js';
import type {
  BrokerPolicy,
  ConnectDecision,
  ConnectRefusal,
  MqttSession,
} from '../registry/broker-policy.js';
import type { PersistentSessions } from './bounded-persistence.js';
import type { BrokerCluster } from './broker.js';
import { authError, connectNotes, forgetConnect } from './connect.js';
import type { SessionTable } from './sessions.js';

export type AuthenticateDone = (error: AuthenticateError | null, success: boolean | null) => void;

export interface ConnectAuthenticationOptions {
  readonly policy: BrokerPolicy;
  readonly cluster: BrokerCluster | undefined;
  /** Every line a client can cause: bounded per source and reason. */
  readonly log: LogThrottle;
  /** Accepted connects, across every client. */
  readonly connectLines: LogBudget;
  readonly sessions: SessionTable;
  readonly persistent: PersistentSessions;
  /** Cluster mode: the epoch each connection claimed its client id at (shared with the broker). */
  readonly epochs: WeakMap<Client, number>;
  /** Cluster mode: clean connects whose claim found no stored session (shared with the broker). */
  readonly sessionFree: WeakSet<Client>;
  /** Whose log budget a line counts against. */
  readonly source: (client: Client) => string;
  /** The connection's transport and remote address, for log lines. */
  readonly where: (client: Client) => Record<string, unknown>;
  /** The connection was accepted: it no longer counts as unauthenticated for its source. */
  readonly accepted: (client: Client) => void;
}

const refusalCodes: Record<ConnectRefusal, 2 | 4 | 5> = {
  'identifier-rejected': 2,
  'bad-credentials': 4,
  'not-authorized': 5,
};

/**
 * aedes' `authenticate` hook: the CONNECT's client id and credentials go to the policy; an accepted
 * session is recorded (and, in a cluster, its client id claimed across nodes) before CONNACK. What
 * the connection no longer needs once decided is dropped: the secret's bytes, the CONNECT packet.
 */
export class ConnectAuthentication {
  readonly #o: ConnectAuthenticationOptions;

  constructor(options: ConnectAuthenticationOptions) {
    this.#o = options;
  }

  authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: AuthenticateDone,
  ): void {
    const base = { clientId: clip(client.id), username: clip(username), ...this.#o.where(client) };
    const source = this.#o.source(client);
    const notes = connectNotes(client);
    if (notes.idRefusal !== undefined) {
      this.#o.log.info(
        source,
        'connect refused: client id',
        { ...base, outcome: 'refused', reason: notes.idRefusal },
        'mqtt connect',
      );
      done(authError(2, 'identifier rejected'), false);
      return;
    }
    const clientId = notes.emptyId ? '' : client.id;
    const decision = this.#o.policy.authenticate({
      clientId,
      username,
      password,
      willTopic: notes.willTopic,
      clean: notes.clean,
    });
    // The secret is not needed once decided: its bytes are wiped, so that it does not stay in the
    // heap until the CONNECT packet is collected (forgetConnect drops the packet itself).
    if (decision instanceof Promise) {
      // A credential not cached yet: read once from the database, then decided as below.
      decision.then(
        (settled) => {
          password?.fill(0);
          this.#decided(client, settled, base, done);
        },
        (err: unknown) => {
          password?.fill(0);
          this.#o.log.warn(source, 'connect failed', { ...base, outcome: 'error', err }, 'mqtt connect');
          done(authError(3, 'server unavailable'), false);
        },
      );
      return;
    }
    password?.fill(0);
    this.#decided(client, decision, base, done);
  }

  #decided(
    client: Client,
    decision: ConnectDecision,
    base: Record<string, unknown>,
    done: AuthenticateDone,
  ): void {
    const source = this.#o.source(client);
    if ((client as unknown as { closed?: boolean }).closed) {
      done(authError(3, 'connection closed'), false);
      return;
    }
    if (!decision.ok) {
      this.#o.log.info(
        source,
        `connect refused: ${decision.refusal}`,
        { ...base, outcome: 'refused', reason: clip(decision.reason) },
        'mqtt connect',
      );
      done(authError(refusalCodes[decision.refusal], decision.reason), false);
      return;
    }
    if (decision.session.kind === 'user') {
      const refusal = this.#o.persistent.admit(
        decision.session.userId,
        client.id,
        connectNotes(client).clean,
      );
      if (refusal !== undefined) {
        this.#o.log.info(
          source,
          'connect refused: persistent sessions',
          { ...base, outcome: 'refused', reason: refusal },
          'mqtt connect',
        );
        done(authError(2, refusal), false);
        return;
      }
    }
    const cluster = this.#o.cluster;
    if (!cluster) {
      this.#accept(client, decision.session, base, done);
      return;
    }
    // One session per client id across the cluster: the id is claimed (a new epoch) and closed on
    // the node that held it before this CONNACK, so the old session ends before the new one starts.
    cluster.claim(client.id, decision.session.kind === 'device').then(
      ({ epoch, sessionFree }) => {
        if ((client as unknown as { closed?: boolean }).closed) {
          cluster.release(client.id, epoch, decision.session.kind === 'device');
          done(authError(3, 'connection closed during takeover'), false);
          return;
        }
        this.#o.epochs.set(client, epoch);
        if (sessionFree === true && connectNotes(client).clean) this.#o.sessionFree.add(client);
        this.#accept(client, decision.session, base, done);
      },
      (err: unknown) => {
        this.#o.log.warn(
          source,
          'connect refused: cluster',
          { ...base, outcome: 'refused', reason: clip(err instanceof Error ? err.message : String(err)) },
          'mqtt connect',
        );
        // [MQTT-3.2.2-3] return code 3: the server is unavailable (Redis is unreachable).
        done(authError(3, 'server unavailable'), false);
      },
    );
  }

  #accept(client: Client, session: MqttSession, base: Record<string, unknown>, done: AuthenticateDone): void {
    forgetConnect(client);
    this.#o.sessions.authenticated(client, session);
    this.#o.accepted(client);
    if (this.#o.connectLines.take()) {
      this.#o.log.info(
        this.#o.source(client),
        'connect accepted',
        { ...base, outcome: 'accepted', kind: session.kind },
        'mqtt connect',
      );
    }
    done(null, true);
  }
}
