import {
  allowedUnitRule,
  boundedNumberRule,
  enumFormatRule,
  rangeFormatRule,
  rangeOrEnumRule,
} from './constraints.js';
import { enumEntriesRule } from './enums.js';
import { kebabCaseNamesRule, uniqueIidsRule, uniqueNamesRule } from './identifiers.js';
import { modelIdCategoryRule, variantParentRule } from './model-id.js';
import { designAssetsRule, localizedNamesRule } from './presentation.js';
import { rangeFitsFormatRule, rangeOrderRule, rangeStepRule } from './ranges.js';
import { parameterReferencesRule } from './references.js';
import { categoryRequirementsRule, deviceInformationRule, knownCategoryRule } from './requirements.js';
import type { QualityRule } from './rule.js';
import { boundedStringRule, stringLengthRule } from './strings.js';
import { deviceTypeCategoryRule, parameterUseRule, typeUrnRule } from './types.js';

export type { QualityRule, Report, RuleContext } from './rule.js';

/** Every static quality rule, in id order; docs/spec.md describes each. */
export const qualityRules: readonly QualityRule[] = [
  deviceInformationRule,
  categoryRequirementsRule,
  knownCategoryRule,
  modelIdCategoryRule,
  variantParentRule,
  kebabCaseNamesRule,
  uniqueNamesRule,
  uniqueIidsRule,
  parameterReferencesRule,
  allowedUnitRule,
  rangeFormatRule,
  enumFormatRule,
  rangeOrEnumRule,
  boundedNumberRule,
  rangeOrderRule,
  rangeFitsFormatRule,
  rangeStepRule,
  enumEntriesRule,
  stringLengthRule,
  boundedStringRule,
  designAssetsRule,
  localizedNamesRule,
  typeUrnRule,
  deviceTypeCategoryRule,
  parameterUseRule,
];
