import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import categoriesData from './categories.json' with { type: 'json' };
import {
  CATEGORY_ID_PATTERN,
  LocalizedTextSchema,
  type PropertyAccess,
  PropertyAccessSchema,
  type PropertyFormat,
  PropertyFormatSchema,
} from './schema.js';

/**
 * The category catalog is data (`categories.json`), so adding a category is a data change reviewed
 * like any other. It is validated when loaded: a broken catalog fails at boot, not at the first lint.
 */

const UnitDefinitionSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    symbol: Type.String(),
    description: Type.String(),
    /** MIoT-Spec-V2's spelling when it differs from the id (`kWh` for `kwh`); import reads it, export writes it. */
    miot: Type.Optional(Type.String({ minLength: 1 })),
    /** Other spellings real specs use (`µg/m3` with the micro sign); import reads them. */
    aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

const PropertyRequirementSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    /** For an optional service, "required" means required once the service is present. */
    required: Type.Boolean(),
    /** The property's format must be one of these. */
    formats: Type.Optional(Type.Array(PropertyFormatSchema, { minItems: 1 })),
    /** The property's access must include all of these. */
    access: Type.Optional(Type.Array(PropertyAccessSchema, { minItems: 1 })),
    unit: Type.Optional(Type.String({ minLength: 1 })),
    /** The property may omit `unit` (real specs do); when it declares one, it must be `unit`. */
    unitOptional: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ServiceRequirementSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    required: Type.Boolean(),
    description: Type.String(),
    properties: Type.Array(PropertyRequirementSchema),
  },
  { additionalProperties: false },
);

const CategoryDefinitionSchema = Type.Object(
  {
    id: Type.String({ pattern: CATEGORY_ID_PATTERN }),
    name: LocalizedTextSchema,
    description: Type.String(),
    /** MIoT-Spec-V2 device types of this category (`outlet` for `plug`); the id itself when absent. */
    miotTypes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    services: Type.Array(ServiceRequirementSchema),
  },
  { additionalProperties: false },
);

const CatalogDataSchema = Type.Object(
  {
    units: Type.Array(UnitDefinitionSchema, { minItems: 1 }),
    commonServices: Type.Array(ServiceRequirementSchema),
    categories: Type.Array(CategoryDefinitionSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type UnitDefinition = Static<typeof UnitDefinitionSchema>;
export type PropertyRequirement = Static<typeof PropertyRequirementSchema>;
export type ServiceRequirement = Static<typeof ServiceRequirementSchema>;
export type CategoryDefinition = Static<typeof CategoryDefinitionSchema>;
export type CatalogData = Static<typeof CatalogDataSchema>;

export interface CategoryCatalog {
  readonly units: readonly UnitDefinition[];
  readonly unitIds: ReadonlySet<string>;
  /** Services every model must have, whatever its category (`device-information`). */
  readonly commonServices: readonly ServiceRequirement[];
  readonly categories: ReadonlyMap<string, CategoryDefinition>;
  /** The ecohub unit id for a unit spelled as an id, a MIoT spelling or an alias. */
  unitFor(spelling: string): string | undefined;
  /** The ecohub category for a MIoT device type name. */
  categoryForMiotType(miotType: string): CategoryDefinition | undefined;
}

const checkCatalogData = TypeCompiler.Compile(CatalogDataSchema);

/** Validates catalog data and indexes it; throws with every problem listed when the data is broken. */
export function loadCatalog(data: unknown): CategoryCatalog {
  if (!checkCatalogData.Check(data)) {
    const problems = [...checkCatalogData.Errors(data)].map((error) => `${error.path}: ${error.message}`);
    throw new Error(`invalid category catalog:\n${problems.join('\n')}`);
  }
  const problems: string[] = [];
  const unitIds = new Set<string>();
  for (const unit of data.units) {
    if (unitIds.has(unit.id)) problems.push(`unit ${unit.id} is listed twice`);
    unitIds.add(unit.id);
  }
  const spellings = new Map<string, string>();
  for (const unit of data.units) {
    for (const spelling of [
      unit.id,
      ...(unit.miot === undefined ? [] : [unit.miot]),
      ...(unit.aliases ?? []),
    ]) {
      const taken = spellings.get(spelling);
      if (taken !== undefined && taken !== unit.id)
        problems.push(`unit spelling ${spelling} is used by ${taken} and ${unit.id}`);
      spellings.set(spelling, unit.id);
    }
  }
  const categories = new Map<string, CategoryDefinition>();
  const byMiotType = new Map<string, CategoryDefinition>();
  for (const category of data.categories) {
    if (categories.has(category.id)) problems.push(`category ${category.id} is listed twice`);
    categories.set(category.id, category);
    for (const miotType of category.miotTypes ?? [category.id]) {
      const taken = byMiotType.get(miotType);
      if (taken !== undefined) problems.push(`MIoT type ${miotType} maps to ${taken.id} and ${category.id}`);
      byMiotType.set(miotType, category);
    }
  }
  const allServices = [...data.commonServices, ...data.categories.flatMap((category) => category.services)];
  for (const service of allServices) {
    for (const property of service.properties) {
      if (property.unit !== undefined && !unitIds.has(property.unit)) {
        problems.push(`${service.name}.${property.name} requires unknown unit ${property.unit}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`invalid category catalog:\n${problems.join('\n')}`);
  return {
    units: data.units,
    unitIds,
    commonServices: data.commonServices,
    categories,
    unitFor: (spelling) => spellings.get(spelling),
    categoryForMiotType: (miotType) => byMiotType.get(miotType),
  };
}

/** The catalog shipped with the hub. */
export const defaultCatalog: CategoryCatalog = loadCatalog(categoriesData);

export function describeFormats(formats: readonly PropertyFormat[]): string {
  return formats.length === 1 ? String(formats[0]) : `one of ${formats.join(', ')}`;
}

export function describeAccess(access: readonly PropertyAccess[]): string {
  return access.join(', ');
}
