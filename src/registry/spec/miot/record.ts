import { pointer, type Violation } from '../violation.js';

/** What the importer had to change, each with a JSON pointer into the MIoT source document. */
export type ImportNoteKind = 'renamed' | 'converted' | 'added' | 'dropped';

export interface ImportNote {
  readonly path: string;
  readonly kind: ImportNoteKind;
  readonly message: string;
}

/** Collects notes and errors while one document is converted. */
export class ImportRecord {
  readonly notes: ImportNote[] = [];
  readonly errors: Violation[] = [];

  note(path: string, kind: ImportNoteKind, message: string): void {
    this.notes.push({ path, kind, message });
  }

  error(path: string, message: string): void {
    this.errors.push({ rule: 'IMPORT', severity: 'error', path, message });
  }

  /** Notes every field of `item` the importer has no place for. */
  dropUnknown(item: object, known: readonly string[], path: string, what: string): void {
    for (const key of Object.keys(item)) {
      if (known.includes(key)) continue;
      this.note(pointer(...splitPointer(path), key), 'dropped', `${what}: ${describeDropped(key)}`);
    }
  }
}

function splitPointer(path: string): string[] {
  return path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Why a MIoT field has no place in an ecohub document. */
function describeDropped(key: string): string {
  switch (key) {
    case 'comment':
      return '"comment" (a note for developers, often in Chinese) has no place in an ecohub document; dropped';
    case 'source':
      return '"source" (where MIoT takes the value from: device or cloud) has no meaning here: ecohub devices report their own values; dropped';
    case 'gatt-access':
      return '"gatt-access" (Bluetooth GATT access) has no place in an ecohub document, whose devices speak MQTT; dropped';
    default:
      return `"${key}" is not a MIoT-Spec-V2 field ecohub knows; dropped`;
  }
}
