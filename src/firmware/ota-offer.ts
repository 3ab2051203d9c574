import type { DownloadTokens } from './download-tokens.js';
import { canonicalGrant, type OtaOffer } from './manifest.js';
import type { ReleaseKey } from './release-key.js';
import type { ExecutionRow } from './store-executions.js';
import type { PackageRow } from './store-packages.js';

/** What building an offer needs: the signing key, download tokens and where devices download from. */
export interface OfferSigning {
  readonly key: ReleaseKey;
  readonly tokens: DownloadTokens;
  readonly now: () => number;
  /** Base URL devices download from (the hub's public HTTP URL). */
  readonly httpUrl: () => string;
  readonly downloadTtlMs: number;
}

/**
 * The offer of an execution's package on `dev/{did}/ota`, with a fresh download token (and a signed
 * grant when the rollout goes back to an older version); none while the package is not signed yet.
 */
export function offerMessage(
  o: OfferSigning,
  row: ExecutionRow,
  pkg: PackageRow,
  rollback: boolean,
): OtaOffer | undefined {
  if (pkg.manifest === null || pkg.signature === null) return undefined;
  const expiresAt = o.now() + o.downloadTtlMs;
  const token = o.tokens.issue(row.device_id, pkg.id, expiresAt);
  const partner =
    pkg.partner_signature === null ? undefined : (JSON.parse(pkg.partner_signature) as { signature: string });
  let grantBack: OtaOffer['rollback'];
  if (rollback) {
    const grant = canonicalGrant({
      format: 'ecohub-rollback/1',
      deviceId: row.device_id,
      executionId: row.id,
      packageId: pkg.id,
      version: pkg.version,
    });
    grantBack = { grant, signature: o.key.sign(grant) };
  }
  return {
    type: 'offer',
    executionId: row.id,
    manifest: pkg.manifest,
    signature: pkg.signature,
    keyId: o.key.keyId,
    ...(partner ? { partnerSignature: partner.signature } : {}),
    url: `${o.httpUrl()}/v1/firmware/downloads/${pkg.id}?token=${encodeURIComponent(token)}`,
    urlExpiresAt: expiresAt,
    ...(grantBack ? { rollback: grantBack } : {}),
  };
}
