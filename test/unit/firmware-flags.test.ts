import { describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/cli/serve.js';

/** `ecohub serve --firmware-*`: settings from flags or variables, every bad value named with its rule. */
describe('firmware serve flags', () => {
  it('reads sizes, durations and the folder from flags and variables', () => {
    const input = serveOptions(
      [
        '--firmware-max-package-size',
        '8M',
        '--firmware-download-ttl',
        '30m',
        '--firmware-beta-soak',
        '0s',
        '--firmware-offer-timeout',
        '90s',
        '--firmware-dir',
        '/srv/fw',
      ],
      { ECOHUB_FIRMWARE_PROGRESS_TIMEOUT: '5m', ECOHUB_FIRMWARE_UPDATE_TIMEOUT: '3h' },
    );
    expect(input).not.toBe('help');
    if (input === 'help') return;
    expect(input.firmware).toEqual({
      dir: '/srv/fw',
      maxPackageBytes: 8 * 1024 * 1024,
      downloadTtlMs: 30 * 60_000,
      betaSoakMs: 0,
      offerTimeoutMs: 90_000,
      progressTimeoutMs: 5 * 60_000,
      inProgressTimeoutMs: 3 * 3600_000,
    });
    const none = serveOptions([], {});
    expect(none !== 'help' && none.firmware).toBeUndefined();
  });

  it('refuses a bad value with the flag (or variable) and the rule', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ['--firmware-max-package-size', '12 MB'],
        {},
        /--firmware-max-package-size must be a size in bytes .* from 1k to 4G, got '12 MB'/,
      ],
      [['--firmware-max-package-size', '5G'], {}, /from 1k to 4G, got '5G'/],
      [
        ['--firmware-download-ttl', '10'],
        {},
        /--firmware-download-ttl must be a duration like 90s, 10m, 2h or 2d, from 1m to 7d, got '10'/,
      ],
      [
        [],
        { ECOHUB_FIRMWARE_BETA_SOAK: '100d' },
        /ECOHUB_FIRMWARE_BETA_SOAK must be a duration .* from 0s to 90d/,
      ],
      [['--firmware-offer-timeout', '1.5h'], {}, /--firmware-offer-timeout must be a duration/],
      [['--firmware-dir', ' '], {}, /--firmware-dir must not be empty/],
      [
        ['--firmware-update-timeout', '1m', '--firmware-progress-timeout', '5m'],
        {},
        /--firmware-update-timeout \(1m\) must be at least --firmware-progress-timeout \(5m\)/,
      ],
    ];
    for (const [argv, env, message] of cases) expect(() => serveOptions(argv, env)).toThrow(message);
  });
});

describe('the firmware certification gate and other switches', () => {
  it('reads on/off and true/false, and refuses anything else naming the flag and both values', () => {
    const off = serveOptions(['--firmware-certification-gate', 'off', '--trust-proxy'], {});
    if (off === 'help') throw new Error('help');
    expect(off.certificationFirmwareGate).toBe(false);
    expect(off.trustProxy).toBe(true);
    const on = serveOptions([], { ECOHUB_FIRMWARE_CERTIFICATION_GATE: 'on', ECOHUB_TRUST_PROXY: 'false' });
    if (on === 'help') throw new Error('help');
    expect(on.certificationFirmwareGate).toBe(true);
    expect(on.trustProxy).toBe(false);
    expect(() => serveOptions(['--firmware-certification-gate', 'maybe'], {})).toThrow(
      "--firmware-certification-gate must be on or off, got 'maybe'",
    );
    expect(() => serveOptions([], { ECOHUB_TRUST_PROXY: 'yes' })).toThrow(
      "ECOHUB_TRUST_PROXY must be true or false, got 'yes'",
    );
  });
});
