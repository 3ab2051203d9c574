import { Value } from '@sinclair/typebox/value';
import { diffAddOnly, type SpecChange } from '../../../src/registry/spec/diff.js';
import { type ModelSpec, ModelSpecSchema, type PropertySpec } from '../../../src/registry/spec/schema.js';

/** A model document that passes the spec schema, or undefined (a draft may be anything). */
export function asModelSpec(document: unknown): ModelSpec | undefined {
  return Value.Check(ModelSpecSchema, document) ? document : undefined;
}

export interface DiffEntry {
  readonly kind: 'added' | 'removed' | 'changed';
  /** `service`, `service.property`, `service.action()`, `service.event!`, or a top-level field. */
  readonly what: string;
  readonly detail: string;
}

/** `uint8, read/write/notify, %, 1..100 step 1` */
export function describeProperty(p: PropertySpec): string {
  const parts = [p.format, p.access.join('/')];
  if (p.unit) parts.push(p.unit);
  if (p.range) parts.push(`${p.range[0]}..${p.range[1]} step ${p.range[2]}`);
  if (p.enum) parts.push(`enum ${p.enum.map((e) => `${e.value}=${e.description}`).join(', ')}`);
  if (p.maxLength !== undefined) parts.push(`max ${p.maxLength} chars`);
  return parts.join(', ');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function fieldChanges(before: object, after: object): string {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: string[] = [];
  for (const key of keys) {
    const a = (before as Record<string, unknown>)[key];
    const b = (after as Record<string, unknown>)[key];
    if (!same(a, b))
      out.push(
        `${key}: ${a === undefined ? '(none)' : JSON.stringify(a)} → ${b === undefined ? '(none)' : JSON.stringify(b)}`,
      );
  }
  return out.join('; ');
}

function byName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.name, item]));
}

function compare<T extends { name: string }>(
  out: DiffEntry[],
  before: readonly T[],
  after: readonly T[],
  label: (name: string) => string,
  describe: (item: T) => string,
): void {
  const old = byName(before);
  const now = byName(after);
  for (const [name, item] of now) {
    const was = old.get(name);
    if (was === undefined) out.push({ kind: 'added', what: label(name), detail: describe(item) });
    else if (!same(was, item))
      out.push({ kind: 'changed', what: label(name), detail: fieldChanges(was, item) });
  }
  for (const [name, item] of old) {
    if (!now.has(name)) out.push({ kind: 'removed', what: label(name), detail: describe(item) });
  }
}

/** Everything added, removed or changed from one version of a model to the next. */
export function versionDiff(before: ModelSpec, after: ModelSpec): DiffEntry[] {
  const out: DiffEntry[] = [];
  for (const field of ['category', 'parent', 'name', 'assets'] as const) {
    if (!same(before[field], after[field])) {
      out.push({
        kind: 'changed',
        what: field,
        detail: `${JSON.stringify(before[field])} → ${JSON.stringify(after[field])}`,
      });
    }
  }
  const oldServices = byName(before.services);
  compare(
    out,
    before.services,
    after.services,
    (n) => n,
    (s) => s.description || `${s.properties.length} properties`,
  );
  for (const service of after.services) {
    const was = oldServices.get(service.name);
    if (was === undefined) continue;
    // The service row above reports the whole service; its items are listed one by one here.
    const index = out.findIndex((e) => e.what === service.name && e.kind === 'changed');
    if (index >= 0) out.splice(index, 1);
    if (was.description !== service.description) {
      out.push({
        kind: 'changed',
        what: service.name,
        detail: `description: "${was.description}" → "${service.description}"`,
      });
    }
    compare(out, was.properties, service.properties, (n) => `${service.name}.${n}`, describeProperty);
    compare(
      out,
      was.actions,
      service.actions,
      (n) => `${service.name}.${n}()`,
      (a) => `in [${a.in.join(', ')}], out [${a.out.join(', ')}]`,
    );
    compare(
      out,
      was.events,
      service.events,
      (n) => `${service.name}.${n}!`,
      (e) => `arguments [${e.arguments.join(', ')}]`,
    );
  }
  return out;
}

/** What MIoT's add-only rule refuses in `after` (the hub refuses it on submit). */
export function addOnlyBreaks(before: ModelSpec, after: ModelSpec): SpecChange[] {
  return diffAddOnly(before, after);
}
