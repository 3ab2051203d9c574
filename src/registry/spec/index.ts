export {
  type CatalogData,
  type CategoryCatalog,
  type CategoryDefinition,
  defaultCatalog,
  loadCatalog,
  type PropertyRequirement,
  type ServiceRequirement,
  type UnitDefinition,
} from './catalog.js';
export {
  type CompiledAction,
  type CompiledEvent,
  type CompiledProperty,
  type CompiledRange,
  type CompiledSpec,
  type CompiledWide,
  compileSpec,
  type ValueKind,
} from './compiled.js';
export { diffAddOnly, diffVariant, type SpecChange } from './diff.js';
export {
  DEFAULT_STRING_MAX_LENGTH,
  formatBounds,
  INTEGER_FORMAT_BOUNDS,
  type IntegerFormat,
  isIntegerFormat,
  isNumericFormat,
  isTextFormat,
  isWideFormat,
  type NumericBounds,
  type NumericFormat,
  WIDE_FORMAT_BOUNDS,
} from './formats.js';
export { type FileLintResult, type LintIo, lintFile, runSpecLint } from './lint-cli.js';
export { type ExportedInstance, exportMiot, exportMiotJson } from './miot/export.js';
export { type ImportOptions, type ImportResult, importMiot, importMiotJson } from './miot/import.js';
export type { ImportNote, ImportNoteKind } from './miot/record.js';
export { type QualityRule, qualityRules, type Report, type RuleContext } from './rules/index.js';
export {
  type ActionSpec,
  type Addressing,
  type EnumEntry,
  type EventSpec,
  type LocalizedText,
  MAX_IID,
  MAX_MODEL_DOCUMENT_BYTES,
  MIN_IID,
  type ModelAssets,
  type ModelSpec,
  ModelSpecSchema,
  PROPERTY_ACCESS,
  PROPERTY_FORMATS,
  type PropertyAccess,
  type PropertyFormat,
  type PropertySpec,
  type ServiceSpec,
} from './schema.js';
export { ecohubName, isStandardType, parseTypeUrn, type TypeUrn, typeNameOf } from './types.js';
export {
  type ValidateOptions,
  type ValidationResult,
  validateModelDocument,
  validateModelJson,
} from './validate.js';
export {
  type ArgumentProblem,
  type ArgumentProblemReason,
  type ArgumentValue,
  checkArguments,
  checkPropertyValue,
  type ValueProblem,
  type ValueProblemReason,
} from './values.js';
export { hasErrors, pointer, type Severity, type Violation } from './violation.js';
export { parseWide, wideJson } from './wide.js';
