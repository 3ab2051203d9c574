/**
 * What the hub signs and what a device checks (docs/ota.md, "Manifests and signatures"). Shared by
 * the hub and the simulator, so both agree on the bytes that are signed.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

/** The signed description of one firmware package. */
export interface Manifest {
  readonly format: 'ecohub-firmware/1';
  readonly packageId: string;
  readonly model: string;
  readonly version: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the binary. */
  readonly sha256: string;
  /** The model spec version the firmware implements. */
  readonly specVersion: number;
  readonly issuedAt: number;
}

/**
 * A recorded rollback: the one way a device may accept an older version. Bound to one device and
 * one execution, so it cannot be replayed elsewhere.
 */
export interface RollbackGrant {
  readonly format: 'ecohub-rollback/1';
  readonly deviceId: string;
  readonly executionId: string;
  readonly packageId: string;
  readonly version: string;
}

/** The message on `dev/{did}/ota`. */
export interface OtaOffer {
  readonly type: 'offer';
  readonly executionId: string;
  /** The manifest exactly as signed (canonical JSON text). */
  readonly manifest: string;
  /** Base64 Ed25519 signature of `manifest` by the hub's release key. */
  readonly signature: string;
  readonly keyId: string;
  /** The partner's own base64 Ed25519 signature of `manifest`, when it added one. */
  readonly partnerSignature?: string;
  /** Download URL with a short-lived token bound to this device and package; supports Range. */
  readonly url: string;
  readonly urlExpiresAt: number;
  /** Present only on an explicit, recorded rollback: canonical JSON of a RollbackGrant, and its signature. */
  readonly rollback?: { readonly grant: string; readonly signature: string };
}

/** The message on `dev/{did}/ota` that withdraws an offer (rollout cancelled). */
export interface OtaCancel {
  readonly type: 'cancel';
  readonly executionId: string;
}

export const PROGRESS_STATES = [
  'downloading',
  'verifying',
  'installing',
  'rebooting',
  'failed',
  'rejected',
] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];

/** Reason codes a device gives with `failed` or `rejected` (docs/ota.md, "Reason codes"). */
export const REASON_CODES = [
  'hash-mismatch',
  'signature-invalid',
  'anti-rollback',
  'wrong-model',
  'download-failed',
  'install-failed',
  'low-battery',
  'busy',
  'user-declined',
  'other',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The message on `dev/{did}/ota/progress`. */
export interface OtaProgress {
  readonly executionId: string;
  readonly state: ProgressState;
  /** 0..100 while downloading. */
  readonly percent?: number;
  readonly reason?: ReasonCode;
  readonly detail?: string;
}

/** JSON with keys in a fixed order: the exact bytes that are signed. */
export function canonicalManifest(m: Manifest): string {
  return JSON.stringify({
    format: m.format,
    packageId: m.packageId,
    model: m.model,
    version: m.version,
    size: m.size,
    sha256: m.sha256,
    specVersion: m.specVersion,
    issuedAt: m.issuedAt,
  });
}

export function canonicalGrant(g: RollbackGrant): string {
  return JSON.stringify({
    format: g.format,
    deviceId: g.deviceId,
    executionId: g.executionId,
    packageId: g.packageId,
    version: g.version,
  });
}

/** A key id: the first 16 hex digits of the SHA-256 of the raw 32-byte public key. */
export function keyIdOf(rawPublicKey: Buffer): string {
  return createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16);
}

/** An Ed25519 public key from its raw 32 bytes (base64), as published at the well-known URL. */
export function publicKeyFromRaw(raw: Buffer): KeyObject {
  // SPKI DER prefix of an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
  const prefix = Buffer.from('302a300506032b6570032100', 'hex');
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

export function verifySignature(text: string, signatureB64: string, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(text), key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}
