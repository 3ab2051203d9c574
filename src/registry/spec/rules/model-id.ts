import { defineRule } from './rule.js';

/** Splits a schema-valid model id `{partner}.{category}.{code}`. */
export function modelIdParts(model: string): { partner: string; category: string; code: string } {
  const [partner = '', category = '', code = ''] = model.split('.');
  return { partner, category, code };
}

export const modelIdCategoryRule = defineRule(
  'Q004',
  'error',
  "the model id's category segment equals the category",
  (spec, report) => {
    const { partner, category, code } = modelIdParts(spec.model);
    if (category === spec.category) return;
    report(
      '/model',
      `model id ${spec.model} names category "${category}" but the document says "${spec.category}": ` +
        `rename the model to ${partner}.${spec.category}.${code} or fix "category"`,
    );
  },
);

/**
 * An "S" variant (upgraded components, new price) is the same product line: same partner, same
 * category, a different code. Whether it only adds to its parent is checked where both are stored.
 */
export const variantParentRule = defineRule(
  'Q005',
  'error',
  'a variant names a different parent model of the same partner and category',
  (spec, report) => {
    if (spec.parent === undefined) return;
    const own = modelIdParts(spec.model);
    const parent = modelIdParts(spec.parent);
    if (spec.parent === spec.model) {
      report(
        '/parent',
        `model ${spec.model} names itself as parent: remove "parent" or name the model it derives from`,
      );
    } else if (parent.partner !== own.partner || parent.category !== own.category) {
      report(
        '/parent',
        `parent ${spec.parent} is not a ${own.partner}.${own.category}.* model: a variant derives from a model ` +
          'of the same partner and category; fix "parent" or remove it',
      );
    }
  },
);
