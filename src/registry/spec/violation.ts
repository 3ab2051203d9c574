export type Severity = 'error' | 'warning';

/** One finding about a model document: which rule, where (RFC 6901 JSON pointer), what and how to fix. */
export interface Violation {
  readonly rule: string;
  readonly severity: Severity;
  readonly path: string;
  readonly message: string;
}

/** Builds an RFC 6901 JSON pointer; `pointer('services', 1, 'name')` is `/services/1/name`. */
export function pointer(...segments: ReadonlyArray<string | number>): string {
  let path = '';
  for (const segment of segments) {
    path += '/' + String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
  }
  return path;
}

export function hasErrors(violations: readonly Violation[]): boolean {
  return violations.some((violation) => violation.severity === 'error');
}
