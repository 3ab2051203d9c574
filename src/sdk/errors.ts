import type { ErrorCode } from '../errors.js';

/** Any failure the hub reports, over REST or in an MQTT reply, with the hub's stable code. */
export class EcohubError extends Error {
  override readonly name = 'EcohubError';
  /** A code from the hub's error table (docs/api.md), or CLIENT_TIMEOUT / CONNECTION when the SDK itself gave up. */
  readonly code: ErrorCode | 'CLIENT_TIMEOUT' | 'CONNECTION';
  /** HTTP status for REST failures. */
  readonly status: number | undefined;
  /** MIoT-style numeric code for MQTT replies. */
  readonly mqttCode: number | undefined;
  /** The device's own error code, when the device refused a command. */
  readonly deviceCode: string | undefined;
  readonly errors: ReadonlyArray<{ path: string; message: string }>;

  constructor(
    code: EcohubError['code'],
    message: string,
    extra: {
      status?: number;
      mqttCode?: number;
      deviceCode?: string;
      errors?: ReadonlyArray<{ path: string; message: string }>;
    } = {},
  ) {
    super(message);
    this.code = code;
    this.status = extra.status;
    this.mqttCode = extra.mqttCode;
    this.deviceCode = extra.deviceCode;
    this.errors = extra.errors ?? [];
  }
}
