import type { FieldError } from '../../errors.js';
import type { ModelSpec } from '../spec/index.js';
import { importMiot } from '../spec/miot/import.js';
import type { ImportNote } from '../spec/miot/record.js';
import { invalidDocument } from './documents.js';
import type { VersionView } from './views.js';

/** A model created from a MIoT-Spec-V2 instance, with what the importer had to change. */
export interface ImportedVersion extends VersionView {
  /** Each change, with a JSON pointer into the MIoT source. */
  readonly importNotes: ImportNote[];
}

/**
 * Converts a MIoT instance for a partner: the model id starts with the partner's slug (the registry
 * requires it), then the device type's category and product code, unless `modelId` is given. A
 * document that cannot be converted at all is one VALIDATION_FAILED whose paths point into the
 * source (`IMPORT: ...`); what the converted document breaks is found when it is created.
 */
export function importForPartner(
  source: unknown,
  slug: string,
  modelId: string | undefined,
): { document: ModelSpec; notes: ImportNote[] } {
  const result = importMiot(source, { partner: slug, model: modelId });
  if (!result.ok) {
    const errors: FieldError[] = result.errors.map((e) => ({
      path: e.path,
      message: `IMPORT: ${e.message}`,
    }));
    throw invalidDocument('the MIoT-Spec-V2 document cannot be imported', errors);
  }
  return { document: result.document, notes: [...result.notes] };
}
