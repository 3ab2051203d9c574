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
  compileSpec,
  type ValueKind,
} from './compiled.js';
export { diffAddOnly, diffVariant, type SpecChange } from './diff.js';
export {
  formatBounds,
  INTEGER_FORMAT_BOUNDS,
  type IntegerFormat,
  isIntegerFormat,
  isNumericFormat,
  type NumericBounds,
  type NumericFormat,
} from './formats.js';
export { type FileLintResult, type LintIo, lintFile, runSpecLint } from './lint-cli.js';
export { type QualityRule, qualityRules, type Report, type RuleContext } from './rules/index.js';
export {
  type ActionSpec,
  type EnumEntry,
  type EventSpec,
  type LocalizedText,
  MAX_IID,
  MAX_MODEL_DOCUMENT_BYTES,
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
