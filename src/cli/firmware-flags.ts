import { resolve } from 'node:path';
import { DEFAULT_FIRMWARE, type FirmwareSettings } from '../firmware/settings.js';
import { type FlagSpec, UsageError } from './flags.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** 1 h 30 min -> "90m"; what the help shows as a default. */
function showDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of [
    ['d', UNITS['d']],
    ['h', UNITS['h']],
    ['m', UNITS['m']],
    ['s', UNITS['s']],
  ] as const) {
    if (size !== undefined && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `ecohub serve` flags for the firmware domain (docs/ota.md, "Settings"). */
export const firmwareFlags: readonly FlagSpec[] = [
  {
    name: 'firmware-dir',
    env: 'ECOHUB_FIRMWARE_DIR',
    type: 'string',
    value: 'DIR',
    help: 'Folder for firmware binaries (shared storage when several nodes serve) (default: DATA_DIR/firmware)',
  },
  {
    name: 'firmware-max-package-size',
    env: 'ECOHUB_FIRMWARE_MAX_PACKAGE_SIZE',
    type: 'string',
    value: 'BYTES',
    help: 'Largest firmware binary a partner may upload (k, M, G suffixes: 1024-based)',
    default: String(DEFAULT_FIRMWARE.maxPackageBytes),
  },
  {
    name: 'firmware-download-ttl',
    env: 'ECOHUB_FIRMWARE_DOWNLOAD_TTL',
    type: 'string',
    value: 'DURATION',
    help: 'How long the download URL in an offer stays valid',
    default: showDuration(DEFAULT_FIRMWARE.downloadTtlMs),
  },
  {
    name: 'firmware-beta-soak',
    env: 'ECOHUB_FIRMWARE_BETA_SOAK',
    type: 'string',
    value: 'DURATION',
    help: 'Beta soak before a release may be promoted, unless its partner sets one',
    default: showDuration(DEFAULT_FIRMWARE.betaSoakMs),
  },
  {
    name: 'firmware-offer-timeout',
    env: 'ECOHUB_FIRMWARE_OFFER_TIMEOUT',
    type: 'string',
    value: 'DURATION',
    help: 'An offered device must start its update within this (rollouts may set their own)',
    default: showDuration(DEFAULT_FIRMWARE.offerTimeoutMs),
  },
  {
    name: 'firmware-progress-timeout',
    env: 'ECOHUB_FIRMWARE_PROGRESS_TIMEOUT',
    type: 'string',
    value: 'DURATION',
    help: 'Longest silence between two progress reports of an update',
    default: showDuration(DEFAULT_FIRMWARE.progressTimeoutMs),
  },
  {
    name: 'firmware-update-timeout',
    env: 'ECOHUB_FIRMWARE_UPDATE_TIMEOUT',
    type: 'string',
    value: 'DURATION',
    help: 'Longest whole update, offer to the device back on the new revision',
    default: showDuration(DEFAULT_FIRMWARE.inProgressTimeoutMs),
  },
];

type Raw = { value: string; source: string } | undefined;

/** "90s", "10m", "2h", "2d", "500ms": between `min` and `max` ms. */
export function parseDuration(raw: { value: string; source: string }, min: number, max: number): number {
  const m = /^(\d{1,10})(ms|s|m|h|d)$/.exec(raw.value.trim());
  const ms = m ? Number(m[1]) * (UNITS[m[2] ?? ''] ?? 0) : Number.NaN;
  if (!Number.isFinite(ms) || ms < min || ms > max) {
    throw new UsageError(
      `${raw.source} must be a duration like 90s, 10m, 2h or 2d, from ${showDuration(min)} to ${showDuration(max)}, got '${raw.value}'`,
    );
  }
  return ms;
}

/** "64M", "1048576", "2G": a byte count from 1 KiB to 4 GiB. */
export function parseSize(raw: { value: string; source: string }): number {
  const m = /^(\d{1,13})([kKmMgG]?)$/.exec(raw.value.trim());
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m?.[2] ?? '').toLowerCase()] ?? 1;
  const bytes = m ? Number(m[1]) * factor : Number.NaN;
  if (!Number.isFinite(bytes) || bytes < 1024 || bytes > 4 * 1024 ** 3) {
    throw new UsageError(
      `${raw.source} must be a size in bytes (optionally with k, M or G) from 1k to 4G, got '${raw.value}'`,
    );
  }
  return bytes;
}

/** The firmware settings the flags (or their variables) give; every bad value names its flag and the rule. */
export function firmwareOptions(get: (name: string) => Raw): Partial<FirmwareSettings> {
  const out: { -readonly [K in keyof FirmwareSettings]?: FirmwareSettings[K] } = {};
  const dir = get('firmware-dir');
  if (dir) {
    if (dir.value.trim() === '') throw new UsageError(`${dir.source} must not be empty`);
    out.dir = resolve(dir.value);
  }
  const size = get('firmware-max-package-size');
  if (size) out.maxPackageBytes = parseSize(size);
  const ttl = get('firmware-download-ttl');
  if (ttl) out.downloadTtlMs = parseDuration(ttl, 60_000, 7 * UNITS['d']!);
  const soak = get('firmware-beta-soak');
  if (soak) out.betaSoakMs = parseDuration(soak, 0, 90 * UNITS['d']!);
  const offer = get('firmware-offer-timeout');
  if (offer) out.offerTimeoutMs = parseDuration(offer, 1000, 30 * UNITS['d']!);
  const progress = get('firmware-progress-timeout');
  if (progress) out.progressTimeoutMs = parseDuration(progress, 1000, 7 * UNITS['d']!);
  const update = get('firmware-update-timeout');
  if (update) out.inProgressTimeoutMs = parseDuration(update, 1000, 30 * UNITS['d']!);
  const progressMs = out.progressTimeoutMs ?? DEFAULT_FIRMWARE.progressTimeoutMs;
  const updateMs = out.inProgressTimeoutMs ?? DEFAULT_FIRMWARE.inProgressTimeoutMs;
  if (updateMs < progressMs) {
    throw new UsageError(
      `${update?.source ?? '--firmware-update-timeout'} (${showDuration(updateMs)}) must be at least ${progress?.source ?? '--firmware-progress-timeout'} (${showDuration(progressMs)})`,
    );
  }
  return out;
}
