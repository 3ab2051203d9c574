import type { ModelSpec } from '../../../../src/registry/spec/index.js';

/** A document edit that must make `rule` report exactly `paths`. */
export interface BreakingCase {
  readonly rule: string;
  readonly what: string;
  readonly edit: (spec: ModelSpec) => void;
  /** Every path the rule must report, and no other. */
  readonly paths: readonly string[];
}

/** A document edit near a rule's edge that must leave the document valid and the rule silent. */
export interface PassingCase {
  readonly rule: string;
  readonly what: string;
  readonly edit: (spec: ModelSpec) => void;
}

export const LIGHT = '/services/1';
/** Pointer to a property of the fixture's light service. */
export const P = (index: number): string => `${LIGHT}/properties/${index}`;
