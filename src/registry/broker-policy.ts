/**
 * Owned by the registry, implemented in access-policy.ts, called by src/broker: the broker reaches
 * the rest of the hub only through this interface, and the registry never imports the broker.
 *
 * The narrow interface the broker needs from the rest of the hub. The broker knows MQTT; the
 * policy knows identities, bindings and specs. Every method but authenticate is synchronous and in
 * memory on the hot path (publish, subscribe, forward), so the hooks never wait on I/O.
 */
export type MqttSession =
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly tokenId: string;
      /** The access token's expiry: past it the session receives nothing and may not publish. */
      readonly expiresAt: number;
    }
  | { readonly kind: 'device'; readonly deviceId: string }
  /** A partner watching its certification runs (docs/protocol.md, "Partners"): subscribe only. */
  | { readonly kind: 'partner'; readonly partnerId: string; readonly keyId: string };

/**
 * The answer to a PUBLISH, given before it is acknowledged: undefined accepts it now; a string
 * refuses it (logged; aedes then closes the connection, as AWS IoT does on an unauthorized
 * publish); a promise accepts it once it resolves, so a QoS 1 PUBACK waits until the message is
 * durably stored (a rejection closes the connection without PUBACK, and the client redelivers).
 */
export type PublishAdmission = undefined | string | Promise<unknown>;

export type ConnectRefusal =
  /** [MQTT-3.2.2-3] return code 2: the client identifier is not allowed. */
  | 'identifier-rejected'
  /** return code 4: bad user name or password. */
  | 'bad-credentials'
  /** return code 5: the credential is valid but this client may not connect (blocked, mismatch). */
  | 'not-authorized';

export type ConnectDecision =
  | { readonly ok: true; readonly session: MqttSession }
  | { readonly ok: false; readonly refusal: ConnectRefusal; readonly reason: string };

export interface ConnectAttempt {
  /** As sent in CONNECT: empty when the client let the broker assign one (cleanSession=1). */
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: Buffer | undefined;
  /** The will message's topic, if the client set one: it must be a topic the client may publish to. */
  readonly willTopic: string | undefined;
  /** cleanSession=1 (absent: treated as clean). */
  readonly clean?: boolean;
}

export interface BrokerPolicy {
  /**
   * CONNECT: in memory for an identity cached already; a promise when the credential must be read
   * from the database first (one query per connect of an identity not seen lately, never per packet).
   */
  authenticate(attempt: ConnectAttempt): ConnectDecision | Promise<ConnectDecision>;
  admitPublish(session: MqttSession, topic: string, payload: Buffer): PublishAdmission;
  /**
   * The will of a client whose node died, fired by another node that holds no session of it (its
   * topic was checked at CONNECT): a device's will is admitted as that device's publish would be.
   */
  admitWill(clientId: string, topic: string, payload: Buffer): Promise<unknown>;
  subscribeDenied(session: MqttSession, topicFilter: string): string | undefined;
  /**
   * A promise when the session's access is being loaded or reloaded (a change made on another
   * node): the subscribe is decided once it settles, on fresh access, instead of refused meanwhile.
   */
  subscribeReady?(session: MqttSession): Promise<void> | undefined;
  /** Topic filters this session may hold, when below the broker's own cap (partner sessions). */
  maxSubscriptions?(session: MqttSession): number | undefined;
  /** Checked for every delivery, so revoking access takes effect on the next message. */
  mayReceive(session: MqttSession, topic: string): boolean;
  /** The session's connection is registered (CONNACK sent). */
  sessionStarted(session: MqttSession): void;
  /** The session's connection closed (disconnect, keepalive expiry, takeover, error). */
  sessionEnded(session: MqttSession): void;
  /** Subscriptions were granted and stored: messages to these filters now reach the session. */
  sessionSubscribed(session: MqttSession, filters: readonly string[]): void;
}
