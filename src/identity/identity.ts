/** Who is calling. Resolved once per request (REST) or connection (MQTT) from a credential. */
export type Identity =
  | { readonly kind: 'operator'; readonly tokenId: string }
  | { readonly kind: 'partner'; readonly partnerId: string; readonly keyId: string }
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly tokenId: string;
      /** When the access token stops working (ms since the epoch): a live MQTT session ends with it. */
      readonly expiresAt: number;
    };

export type Role = Identity['kind'];

/** Resolves a bearer credential of one prefix (`eu`, `eo`, `ek`, ...) into an identity. */
export type CredentialResolver = (token: string) => Identity | undefined | Promise<Identity | undefined>;
