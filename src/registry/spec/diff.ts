import type { ActionSpec, EventSpec, ModelSpec, PropertySpec, ServiceSpec } from './schema.js';
import { parseTypeUrn } from './types.js';
import { pointer } from './violation.js';

/**
 * MIoT's upgrade rule: once published, a spec version is immutable and a later version may only add.
 * Devices in the field and apps already installed keep speaking the old version, so anything they
 * rely on (names, iids, formats, value constraints, parameter lists) must stay as it was. Widening
 * counts as a change too: an old app would still refuse, or an old device reject, the new values.
 */

export interface SpecChange {
  /** JSON pointer into the previous document, at the item removed or the field changed. */
  readonly path: string;
  readonly kind: 'removed' | 'changed';
  readonly message: string;
}

interface Named {
  readonly iid: number;
  readonly name: string;
  readonly type?: string | undefined;
}

type Push = (path: string, kind: SpecChange['kind'], message: string) => void;

/** Lists every removal or change from `previous` to `next`; an empty list means `next` only adds. */
export function diffAddOnly(previous: ModelSpec, next: ModelSpec): SpecChange[] {
  const changes: SpecChange[] = [];
  const push: Push = (path, kind, message) => changes.push({ path, kind, message });
  if (previous.model !== next.model) {
    push('/model', 'changed', `model id changed from ${previous.model} to ${next.model}`);
  }
  if (previous.category !== next.category) {
    push('/category', 'changed', `category changed from ${previous.category} to ${next.category}`);
  }
  if (previous.parent !== next.parent) {
    push(
      '/parent',
      'changed',
      `parent changed from ${previous.parent ?? '(none)'} to ${next.parent ?? '(none)'}`,
    );
  }
  diffType('/type', 'device type', previous.type, next.type, push);
  diffServices(previous, next, push);
  return changes;
}

/**
 * What a type URN says an item is: namespace, kind, name and id. The product and version part moves
 * with every MIoT instance version (`...:zhimi-ca4:3` becomes `...:zhimi-ca4:4`), so it is not
 * compared; declaring a type where there was none only adds.
 */
function typeIdentity(type: string): string {
  const parsed = parseTypeUrn(type);
  if (!parsed.ok) return type;
  const { namespace, kind, name, id } = parsed.urn;
  return `urn:${namespace}:${kind}:${name}:${id.toUpperCase()}`;
}

function diffType(
  path: string,
  label: string,
  before: string | undefined,
  after: string | undefined,
  push: Push,
): void {
  if (before === undefined) return;
  const was = typeIdentity(before);
  const now = after === undefined ? '(none)' : typeIdentity(after);
  if (was !== now) push(path, 'changed', `${label}: type changed from ${was} to ${now}`);
}

/**
 * The "S" variant rule: a variant names its parent, keeps its category, and keeps every service,
 * property, action and event of the parent unchanged (same add-only comparison as an upgrade); it
 * has its own model id and may add. Paths point into the parent document.
 */
export function diffVariant(parent: ModelSpec, variant: ModelSpec): SpecChange[] {
  const changes: SpecChange[] = [];
  const push: Push = (path, kind, message) => changes.push({ path, kind, message });
  if (variant.parent !== parent.model) {
    push(
      '/model',
      'changed',
      `variant ${variant.model} names parent ${variant.parent ?? '(none)'}, not ${parent.model}`,
    );
  }
  if (parent.category !== variant.category) {
    push('/category', 'changed', `category changed from ${parent.category} to ${variant.category}`);
  }
  diffServices(parent, variant, push);
  return changes;
}

function diffServices(before: ModelSpec, after: ModelSpec, push: Push): void {
  matchItems('service', '', '/services', 'siid', before.services, after.services, push, (b, a, path) =>
    diffService(b, a, path, push),
  );
}

/**
 * Pairs each previous item with its successor by name, reporting renumbering (same name, other iid),
 * renaming (same iid, other name) and removal; `compare` then diffs the matched pair.
 */
function matchItems<T extends Named>(
  noun: string,
  owner: string,
  arrayPath: string,
  iidName: string,
  before: readonly T[],
  after: readonly T[],
  push: Push,
  compare: (before: T, after: T, path: string) => void,
): void {
  before.forEach((item, index) => {
    const path = `${arrayPath}/${index}`;
    const label = `${noun} ${owner}${item.name}`;
    const sameName = after.find((candidate) => candidate.name === item.name);
    if (sameName !== undefined) {
      if (sameName.iid !== item.iid) {
        push(`${path}/iid`, 'changed', `${label}: ${iidName} changed from ${item.iid} to ${sameName.iid}`);
      }
      diffType(`${path}/type`, label, item.type, sameName.type, push);
      compare(item, sameName, path);
      return;
    }
    const sameIid = after.find((candidate) => candidate.iid === item.iid);
    if (sameIid !== undefined) {
      push(
        `${path}/name`,
        'changed',
        `${label}: ${iidName} ${item.iid} renamed from ${item.name} to ${sameIid.name}`,
      );
      return;
    }
    push(path, 'removed', `${label} (${iidName} ${item.iid}) was removed`);
  });
}

function diffService(before: ServiceSpec, after: ServiceSpec, path: string, push: Push): void {
  const owner = `${before.name}.`;
  // Parameters are compared by piid; a renumbered property is reported once, on the property.
  matchItems(
    'property',
    owner,
    `${path}/properties`,
    'piid',
    before.properties,
    after.properties,
    push,
    (b, a, p) => diffProperty(`${owner}${b.name}`, b, a, p, push),
  );
  matchItems('action', owner, `${path}/actions`, 'aiid', before.actions, after.actions, push, (b, a, p) => {
    diffAction(`${owner}${b.name}`, b, a, p, push);
  });
  matchItems('event', owner, `${path}/events`, 'eiid', before.events, after.events, push, (b, a, p) => {
    diffEvent(`${owner}${b.name}`, b, a, p, push);
  });
}

function diffProperty(
  label: string,
  before: PropertySpec,
  after: PropertySpec,
  path: string,
  push: Push,
): void {
  const field = (name: string, was: string, now: string) => {
    if (was !== now)
      push(path + pointer(name), 'changed', `property ${label}: ${name} changed from ${was} to ${now}`);
  };
  field('format', before.format, after.format);
  field('access', describeAccess(before.access), describeAccess(after.access));
  field('unit', before.unit ?? '(none)', after.unit ?? '(none)');
  field('range', describeRange(before.range), describeRange(after.range));
  field('enum', describeEnum(before.enum), describeEnum(after.enum));
  field('maxLength', String(before.maxLength ?? '(none)'), String(after.maxLength ?? '(none)'));
}

function diffAction(label: string, before: ActionSpec, after: ActionSpec, path: string, push: Push): void {
  for (const list of ['in', 'out'] as const) {
    const was = describeRefs(before[list]);
    const now = describeRefs(after[list]);
    if (was !== now)
      push(`${path}/${list}`, 'changed', `action ${label}: ${list} changed from ${was} to ${now}`);
  }
}

function diffEvent(label: string, before: EventSpec, after: EventSpec, path: string, push: Push): void {
  const was = describeRefs(before.arguments);
  const now = describeRefs(after.arguments);
  if (was !== now)
    push(`${path}/arguments`, 'changed', `event ${label}: arguments changed from ${was} to ${now}`);
}

// Each describe* gives a canonical text, so "changed" is a string comparison and the message is ready-made.

/** Access is a set: reordering it changes nothing a device or app relies on. */
function describeAccess(access: readonly string[]): string {
  return [...access].sort().join(',');
}

function describeRange(range: PropertySpec['range']): string {
  return range === undefined ? '(none)' : `[${range.join(', ')}]`;
}

/** An enum is a set of value/description pairs; order is presentation only. */
function describeEnum(entries: PropertySpec['enum']): string {
  if (entries === undefined) return '(none)';
  const sorted = [...entries].sort((a, b) => a.value - b.value);
  return `{${sorted.map((entry) => `${entry.value}: ${JSON.stringify(entry.description)}`).join(', ')}}`;
}

/** Parameter lists are positional in MIoT, so order matters. */
function describeRefs(piids: readonly number[]): string {
  return `[${piids.join(', ')}]`;
}
