import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'de';

type Messages = Record<string, string>;

/** templates/i18n, from the sources (Jest) and from the compiled dist/libs/i18n/src. */
function catalogueDir(): string {
  const candidates = [
    join(__dirname, '../../../templates/i18n'),
    join(__dirname, '../../../../templates/i18n'),
  ];
  const dir = candidates.find((candidate) => existsSync(join(candidate, `${DEFAULT_LOCALE}.json`)));
  if (!dir) throw new Error(`templates/i18n not found (looked in ${candidates.join(', ')})`);
  return dir;
}

/** Nested JSON to dotted keys: {"account": {"title": "…"}} → {"account.title": "…"}. */
function flatten(value: unknown, prefix: string, into: Messages): Messages {
  if (typeof value === 'string') into[prefix] = value;
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  } else throw new Error(`i18n catalogue: "${prefix}" must be text or an object`);
  return into;
}

/**
 * The one catalogue of user-facing text (portal and mail), German and English: every key
 * exists in both languages, checked when it loads.
 */
export class Catalogue {
  private constructor(private readonly messages: Record<Locale, Messages>) {}

  static load(dir: string = catalogueDir()): Catalogue {
    const messages = Object.fromEntries(
      LOCALES.map((locale) => [
        locale,
        flatten(JSON.parse(readFileSync(join(dir, `${locale}.json`), 'utf8')) as unknown, '', {}),
      ]),
    ) as Record<Locale, Messages>;
    const problems: string[] = [];
    for (const locale of LOCALES) {
      for (const other of LOCALES) {
        for (const key of Object.keys(messages[other])) {
          if (!(key in messages[locale])) problems.push(`${locale}.json lacks "${key}"`);
        }
      }
    }
    if (problems.length > 0) throw new Error(`i18n catalogue: ${problems.join('; ')}`);
    return new Catalogue(messages);
  }

  /** The text of `key` with `{name}` placeholders filled; an unknown key throws (a bug, not a fallback). */
  t(locale: Locale, key: string, params: Record<string, string | number> = {}): string {
    const message = this.messages[locale][key];
    if (message === undefined) throw new Error(`i18n: unknown key "${key}"`);
    return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
      params[name] === undefined ? whole : String(params[name]),
    );
  }
}

/** The caller's language: an explicit choice, else the best of Accept-Language, else German. */
export function negotiateLocale(choice: unknown, acceptLanguage: string | undefined): Locale {
  if (typeof choice === 'string' && (LOCALES as readonly string[]).includes(choice)) return choice as Locale;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const quality = rest.find((param) => param.trim().startsWith('q='));
      return { language: tag.toLowerCase().split('-')[0]!, q: quality ? Number(quality.trim().slice(2)) : 1 };
    })
    .filter((entry) => entry.language && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q);
  const match = ranked.find((entry) => (LOCALES as readonly string[]).includes(entry.language));
  return (match?.language as Locale | undefined) ?? DEFAULT_LOCALE;
}
