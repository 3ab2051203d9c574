/**
 * The one error table. Every failure the hub reports, over REST (RFC 9457 problem+json) or in an
 * MQTT reply, carries one of these codes; the HTTP status and the MQTT reply code come from here.
 * MQTT reply codes follow MIoT's negative numbering (-4001 property not readable, -4002 not writable,
 * -4003 does not exist, -4004 internal, -4005 value error, ...), extended for the hub's own cases.
 */
export const errorTable = {
  VALIDATION_FAILED: { status: 400, mqtt: -4007, title: 'The request is not valid' },
  INVALID_JSON: { status: 400, mqtt: -4010, title: 'The body is not valid JSON' },
  PROPERTY_NOT_READABLE: { status: 400, mqtt: -4001, title: 'The property cannot be read' },
  PROPERTY_NOT_WRITABLE: { status: 400, mqtt: -4002, title: 'The property cannot be written' },
  PROPERTY_UNKNOWN: { status: 400, mqtt: -4003, title: "No such property in the device's spec" },
  VALUE_INVALID: { status: 400, mqtt: -4005, title: "The value does not fit the property's spec" },
  ACTION_ARGUMENTS_INVALID: { status: 400, mqtt: -4006, title: "The action's arguments do not fit its spec" },
  ACTION_UNKNOWN: { status: 400, mqtt: -4008, title: "No such action in the device's spec" },
  UNAUTHENTICATED: { status: 401, mqtt: -4011, title: 'Missing or invalid credentials' },
  FORBIDDEN: { status: 403, mqtt: -4012, title: 'Not allowed for this identity' },
  NOT_AN_OWNER: {
    status: 403,
    mqtt: -4150,
    title: 'Only users who own or are shared a device of this model may do this',
  },
  NOT_FOUND: { status: 404, mqtt: -4013, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, mqtt: -4013, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, mqtt: -4014, title: 'Method not allowed' },
  ALREADY_EXISTS: { status: 409, mqtt: -4015, title: 'The resource already exists' },
  INVALID_STATE: { status: 409, mqtt: -4016, title: 'Not allowed in the current state' },
  POST_LOCKED: { status: 409, mqtt: -4151, title: 'The post is locked' },
  DEVICE_OFFLINE: { status: 409, mqtt: -4009, title: 'The device is offline' },
  OUT_OF_STOCK: { status: 409, mqtt: -4030, title: 'Not enough stock' },
  ALREADY_OWNED: { status: 409, mqtt: -4032, title: 'The device is bound to another user' },
  COMMAND_ID_REUSED: {
    status: 422,
    mqtt: -4034,
    title: 'The command id was already used for a different command to this device',
  },
  DEVICE_BUSY: { status: 429, mqtt: -4035, title: 'Too many commands are waiting for this device' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    mqtt: -4031,
    title: 'The Idempotency-Key was already used for a different request',
  },
  PAYLOAD_TOO_LARGE: { status: 413, mqtt: -4017, title: 'The payload is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, mqtt: -4018, title: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, mqtt: -4019, title: 'Too many requests' },
  INTERNAL: { status: 500, mqtt: -4004, title: 'Internal error' },
  DEVICE_ERROR: { status: 502, mqtt: -4022, title: 'The device refused the command' },
  UNAVAILABLE: { status: 503, mqtt: -4020, title: 'Service unavailable' },
  DEVICE_TIMEOUT: { status: 504, mqtt: -4021, title: 'The device did not answer in time' },
} as const;

export type ErrorCode = keyof typeof errorTable;

/**
 * Most field errors one answer carries (REST problem or MQTT reply): a bad body with 60,000 unknown
 * keys gets the first 20 and `errorsTruncated`, not a 15 MB list (docs/api.md, "Request bodies").
 */
export const MAX_FIELD_ERRORS = 20;

export interface FieldError {
  /** JSON pointer to the offending field, e.g. `/email` or `/lines/0/qty`. */
  readonly path: string;
  readonly message: string;
}

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly mqttCode: number;
  /** At most MAX_FIELD_ERRORS, in the order found. */
  readonly errors: readonly FieldError[];
  /** More problems were found (or not looked for) than `errors` lists. */
  readonly errorsTruncated: boolean;
  /** Extra response headers, e.g. Retry-After for RATE_LIMITED. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    detail?: string,
    extra: {
      errors?: readonly FieldError[];
      errorsTruncated?: boolean;
      headers?: Record<string, string>;
    } = {},
  ) {
    const row = errorTable[code];
    super(detail ?? row.title);
    this.name = 'HubError';
    this.code = code;
    this.status = row.status;
    this.mqttCode = row.mqtt;
    const errors = extra.errors ?? [];
    this.errors = errors.length > MAX_FIELD_ERRORS ? errors.slice(0, MAX_FIELD_ERRORS) : errors;
    this.errorsTruncated = (extra.errorsTruncated ?? false) || errors.length > MAX_FIELD_ERRORS;
    this.headers = extra.headers ?? {};
  }
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}
