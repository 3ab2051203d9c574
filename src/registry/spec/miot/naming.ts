import { ecohubName } from '../types.js';

/**
 * How imported items are named. An ecohub name must be kebab-case and unique at its level, while a
 * MIoT instance may repeat a type (a multi-gang switch has `switch` at siid 2 and 3; a thermostat
 * three `on` properties) and spells some types with a dot (`pm2.5-density`). So an item is named
 * after its type in ecohub spelling, and every instance of a type that repeats at its level is
 * named by its iid as well (`switch-2`, `switch-3`), so adding a fourth gang later renames nothing.
 */

const MAX_NAME = 64;

export interface NamedSource {
  readonly iid: number;
  /** The MIoT type name (`pm2.5-density`). */
  readonly typeName: string;
}

export interface ChosenName {
  readonly name: string;
  /** Why the name differs from the type name, or undefined when it does not. */
  readonly why: string | undefined;
}

/** Names for the items of one level (services of a model, or properties/actions/events of a service). */
export function nameInstances(items: readonly NamedSource[], noun: string, iidName: string): ChosenName[] {
  const bases = items.map((item) => baseName(item.typeName, noun, item.iid));
  const counts = new Map<string, number>();
  for (const base of bases) counts.set(base, (counts.get(base) ?? 0) + 1);
  const used = new Set<string>();
  return items.map((item, index) => {
    const base = bases[index] ?? noun;
    const repeated = (counts.get(base) ?? 0) > 1;
    let name = repeated ? suffixed(base, `${item.iid}`) : base;
    for (let n = 2; used.has(name); n++) name = suffixed(base, `${item.iid}-${n}`);
    used.add(name);
    const reasons: string[] = [];
    if (repeated) {
      reasons.push(
        `type ${item.typeName} appears ${counts.get(base)} times at this level, so each instance is named by its ${iidName}`,
      );
    } else if (name !== item.typeName) {
      reasons.push(`"${item.typeName}" is not a valid ecohub name (kebab-case, no dots)`);
    }
    return { name, why: reasons.length === 0 ? undefined : reasons.join('; ') };
  });
}

function baseName(typeName: string, noun: string, iid: number): string {
  const kebab = clip(ecohubName(typeName));
  return kebab === '' ? `${noun}-${iid}` : kebab;
}

function clip(name: string): string {
  return name.length <= MAX_NAME ? name : name.slice(0, MAX_NAME).replace(/-+$/, '');
}

/** `base-suffix`, shortening the base (never the suffix) to stay within the name limit. */
function suffixed(base: string, suffix: string): string {
  return `${base.slice(0, MAX_NAME - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}
