import { isRecord } from '../api/decode.js';
import type { Finding } from './types.js';

interface Item {
  readonly pointer: string;
  readonly title: string;
  readonly detail: string;
  readonly depth: number;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

/** The document's services, properties, actions and events with their JSON pointers, read defensively (a draft may be invalid). */
export function outlineItems(document: unknown): Item[] {
  const items: Item[] = [];
  if (!isRecord(document) || !Array.isArray(document['services'])) return items;
  document['services'].forEach((service, i) => {
    if (!isRecord(service)) return;
    const sp = `/services/${i}`;
    const sname = text(service['name']);
    items.push({
      pointer: sp,
      title: `${sname} (siid ${text(service['iid'])})`,
      detail: text(service['description']),
      depth: 0,
    });
    for (const kind of ['properties', 'actions', 'events'] as const) {
      const list = service[kind];
      if (!Array.isArray(list)) continue;
      list.forEach((item, j) => {
        if (!isRecord(item)) return;
        const name = `${sname}.${text(item['name'])}${kind === 'actions' ? '()' : kind === 'events' ? '!' : ''}`;
        let detail = '';
        if (kind === 'properties') {
          const access = Array.isArray(item['access']) ? item['access'].join('/') : '';
          detail = [
            text(item['format']),
            access,
            text(item['unit']),
            item['range'] ? `range ${text(item['range'])}` : '',
            item['enum'] ? 'enum' : '',
          ]
            .filter(Boolean)
            .join(', ');
        } else if (kind === 'actions') {
          detail = `in ${text(item['in'])} out ${text(item['out'])}`;
        } else {
          detail = `arguments ${text(item['arguments'])}`;
        }
        items.push({
          pointer: `${sp}/${kind}/${j}`,
          title: `${name} (iid ${text(item['iid'])})`,
          detail,
          depth: 1,
        });
      });
    }
  });
  return items;
}

/** The item a finding belongs to: the deepest whose pointer is the finding's path or a prefix of it. */
export function ownerOf(items: readonly Item[], path: string): string | undefined {
  let best: string | undefined;
  for (const item of items) {
    if (
      (path === item.pointer || path.startsWith(`${item.pointer}/`)) &&
      (best === undefined || item.pointer.length > best.length)
    ) {
      best = item.pointer;
    }
  }
  return best;
}

/** `Q006: service name ...` -> rule Q006 and the rest; errors from a 400 carry their rule that way. */
export function findingOf(error: { path: string; message: string }): Finding {
  const match = /^([A-Z][A-Z0-9-]*): (.*)$/s.exec(error.message);
  return { rule: match?.[1] ?? 'SCHEMA', path: error.path, message: match?.[2] ?? error.message };
}

function FindingList({
  findings,
  severity,
}: {
  findings: readonly Finding[];
  severity: 'error' | 'warning';
}) {
  if (findings.length === 0) return null;
  return (
    <ul class={`findings ${severity}`}>
      {findings.map((f) => (
        <li key={`${f.rule}${f.path}${f.message}`} data-rule={f.rule}>
          <strong>{f.rule}</strong> <code>{f.path || '/'}</code> {f.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * The model document as an outline (services, then their properties, actions and events) with each
 * lint finding shown under the item it is about: the partner sees what is wrong where it is.
 */
export function SpecOutline({
  document,
  errors,
  warnings,
}: {
  document: unknown;
  errors: readonly Finding[];
  warnings: readonly Finding[];
}) {
  const items = outlineItems(document);
  const place = (findings: readonly Finding[]) => {
    const by = new Map<string, Finding[]>();
    for (const f of findings) {
      const owner = ownerOf(items, f.path) ?? '';
      by.set(owner, [...(by.get(owner) ?? []), f]);
    }
    return by;
  };
  const errorsBy = place(errors);
  const warningsBy = place(warnings);
  return (
    <div class="outline">
      <div class="outline-item depth-0">
        <span class="title">Model</span>
        <FindingList findings={errorsBy.get('') ?? []} severity="error" />
        <FindingList findings={warningsBy.get('') ?? []} severity="warning" />
      </div>
      {items.map((item) => (
        <div key={item.pointer} class={`outline-item depth-${item.depth}`} data-pointer={item.pointer}>
          <span class="title">{item.title}</span> <span class="muted">{item.detail}</span>
          <FindingList findings={errorsBy.get(item.pointer) ?? []} severity="error" />
          <FindingList findings={warningsBy.get(item.pointer) ?? []} severity="warning" />
        </div>
      ))}
    </div>
  );
}
