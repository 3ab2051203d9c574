import { pointer } from '../violation.js';
import { defineRule } from './rule.js';

/** The app lays the short name under an icon tile; 12 characters is what fits at the smallest tile size. */
export const MAX_SHORT_NAME_CHARS = 12;
export const ICON_EXTENSIONS = ['png', 'svg', 'webp'] as const;

const RELATIVE_ICON_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

function hasIconExtension(path: string): boolean {
  const dot = path.lastIndexOf('.');
  const extension = path.slice(dot + 1).toLowerCase();
  return dot > 0 && (ICON_EXTENSIONS as readonly string[]).includes(extension);
}

/** Why `icon` is not a usable reference, or undefined when it is one. */
export function iconProblem(icon: string): string | undefined {
  if (icon.trim() === '') return 'is empty';
  if (icon.includes('://')) {
    let url: URL;
    try {
      url = new URL(icon);
    } catch {
      return 'is not a valid URL';
    }
    if (url.protocol !== 'https:') return 'must use https';
    if (url.username !== '' || url.password !== '') return 'must not carry credentials';
    if (!hasIconExtension(url.pathname)) return `must name a ${ICON_EXTENSIONS.join('/')} file`;
    return undefined;
  }
  // Relative to the partner's asset bundle: no absolute paths, no "..", no odd characters.
  if (
    !RELATIVE_ICON_PATH.test(icon) ||
    icon.split('/').some((segment) => segment === '..' || segment === '.')
  ) {
    return 'is neither an https URL nor a relative path like "icons/bulb1.png"';
  }
  if (!hasIconExtension(icon)) return `must name a ${ICON_EXTENSIONS.join('/')} file`;
  return undefined;
}

export const designAssetsRule = defineRule(
  'Q021',
  'error',
  `design assets: icon is a relative path or https URL to a ${ICON_EXTENSIONS.join('/')} image; shortName has 1..${MAX_SHORT_NAME_CHARS} characters`,
  (spec, report) => {
    const problem = iconProblem(spec.assets.icon);
    if (problem !== undefined) {
      report(
        '/assets/icon',
        `icon "${spec.assets.icon}" ${problem}: use a relative path such as "icons/${spec.model}.png" ` +
          'or an https URL',
      );
    }
    const shortName = spec.assets.shortName.trim();
    // Counted in code points, so a CJK short name gets the same 12 as a Latin one.
    const length = [...shortName].length;
    if (length === 0) {
      report('/assets/shortName', 'shortName is empty: give the name shown under the icon, e.g. "Bulb"');
    } else if (length > MAX_SHORT_NAME_CHARS) {
      report(
        '/assets/shortName',
        `shortName "${spec.assets.shortName}" has ${length} characters: shorten it to at most ${MAX_SHORT_NAME_CHARS}`,
      );
    }
  },
);

export const localizedNamesRule = defineRule(
  'Q022',
  'error',
  'every localized name is non-empty',
  (spec, report) => {
    for (const [locale, text] of Object.entries(spec.name)) {
      if (text.trim() !== '') continue;
      const fix =
        locale === 'en'
          ? 'write the English name (required)'
          : `write the ${locale} name or remove the entry`;
      report(pointer('name', locale), `the ${locale} name is empty: ${fix}`);
    }
  },
);
