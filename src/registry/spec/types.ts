/**
 * MIoT-Spec-V2 type URNs: `urn:{namespace}:{kind}:{name}:{id}[:{product}:{version}[:{template}]]`,
 * e.g. `urn:miot-spec-v2:property:on:00000006:xiaomi-04:1:0000D032`. The namespace is
 * `miot-spec-v2` for the shared, standard types and `{vendor}-spec` for a vendor's own ones. An item
 * that names a type is an instance of it; several instances of one type in a model (a three-gang
 * switch) share the type and differ in name and iid.
 */

export const STANDARD_NAMESPACE = 'miot-spec-v2';
export const TYPE_KINDS = ['device', 'service', 'property', 'action', 'event'] as const;
export type TypeKind = (typeof TYPE_KINDS)[number];

export interface TypeUrn {
  readonly namespace: string;
  readonly kind: TypeKind;
  /** The type's name as MIoT spells it (`pm2.5-density`). */
  readonly name: string;
  /** 8 hex digits. */
  readonly id: string;
  /** `{vendor}-{product}` of the instance, when the URN names one. */
  readonly product: string | undefined;
  /** The instance's version, when the URN names one. */
  readonly version: number | undefined;
  /** Anything after the version (a template id), kept verbatim. */
  readonly rest: readonly string[];
  /** True for `miot-spec-v2`, false for a vendor namespace. */
  readonly standard: boolean;
}

const NAMESPACE = /^[a-z0-9][a-z0-9-]*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HEX8 = /^[0-9A-Fa-f]{8}$/;
const PRODUCT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[0-9]{1,9}$/;

export type TypeUrnResult =
  | { readonly ok: true; readonly urn: TypeUrn }
  | { readonly ok: false; readonly problem: string };

/** Parses a type URN, naming the first part that is wrong. */
export function parseTypeUrn(text: string): TypeUrnResult {
  const parts = text.split(':');
  const [urn, namespace = '', kind = '', name = '', id = '', product, version, ...rest] = parts;
  const fail = (problem: string): TypeUrnResult => ({ ok: false, problem });
  if (urn !== 'urn' || parts.length < 5) {
    return fail('is not a type URN: write urn:{namespace}:{kind}:{name}:{id}[:{product}:{version}]');
  }
  if (!NAMESPACE.test(namespace) || (namespace !== STANDARD_NAMESPACE && !namespace.endsWith('-spec'))) {
    return fail(`has namespace "${namespace}": use ${STANDARD_NAMESPACE} or a vendor's {vendor}-spec`);
  }
  if (!(TYPE_KINDS as readonly string[]).includes(kind)) {
    return fail(`has kind "${kind}": use one of ${TYPE_KINDS.join(', ')}`);
  }
  if (!NAME.test(name)) return fail(`has type name "${name}": use letters, digits, ".", "_" and "-"`);
  if (!HEX8.test(id)) return fail(`has type id "${id}": a type id is 8 hexadecimal digits`);
  if (product !== undefined && !PRODUCT.test(product)) {
    return fail(`has product "${product}": write {vendor}-{product} in letters, digits, ".", "_" and "-"`);
  }
  if (version !== undefined && !VERSION.test(version)) {
    return fail(`has version "${version}": a version is a whole number`);
  }
  if (rest.some((part) => !PRODUCT.test(part)))
    return fail('has an empty or malformed trailing part: remove it');
  return {
    ok: true,
    urn: {
      namespace,
      kind: kind as TypeKind,
      name,
      id,
      product,
      version: version === undefined ? undefined : Number(version),
      rest,
      standard: namespace === STANDARD_NAMESPACE,
    },
  };
}

export function formatTypeUrn(urn: Omit<TypeUrn, 'standard'>): string {
  const parts = ['urn', urn.namespace, urn.kind, urn.name, urn.id];
  if (urn.product !== undefined) parts.push(urn.product);
  if (urn.version !== undefined) parts.push(String(urn.version));
  parts.push(...urn.rest);
  return parts.join(':');
}

/**
 * MIoT type names are kebab-case except for a dot between digits (`pm2.5-density`); ecohub names
 * cannot contain dots (`.` joins service.property), so that dot is dropped: `pm25-density`.
 * Anything else that is not kebab-case is lowercased and joined with hyphens.
 */
export function ecohubName(miotName: string): string {
  return miotName
    .replace(/([0-9])\.([0-9])/g, '$1$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
}

/** An item that may name its type. */
export interface Typed {
  readonly name: string;
  readonly type?: string | undefined;
}

/**
 * The type name an item is an instance of, in ecohub spelling: its type URN's name, or its own name
 * when it has no type. Category requirements match on this.
 */
export function typeNameOf(item: Typed): string {
  if (item.type === undefined) return item.name;
  const parsed = parseTypeUrn(item.type);
  return parsed.ok ? ecohubName(parsed.urn.name) : item.name;
}

/** Whether the item is of a standard (miot-spec-v2) type; an item without a type counts as standard. */
export function isStandardType(item: Typed): boolean {
  if (item.type === undefined) return true;
  const parsed = parseTypeUrn(item.type);
  return parsed.ok && parsed.urn.standard;
}
