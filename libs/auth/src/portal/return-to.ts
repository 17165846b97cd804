/** Where a login may send people back to: only our own pages, as a path. */
const PORTAL_PATH = /^\/(?:t\/[a-z0-9][a-z0-9-]*(?:\/[^\s\\]*)?|me(?:\/[^\s\\]*)?|admin(?:\/[^\s\\]*)?)?$/;

/**
 * The `returnTo` of a login, checked: a relative path of the portal (`/`, `/t/<tenant>/...`,
 * `/me...`), never a URL, a scheme-relative `//host`, a backslash trick or a control
 * character. Undefined means "refused" (the caller answers 400).
 */
export function safeReturnTo(value: unknown): string | undefined {
  if (value === undefined || value === '') return '/';
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  const [path] = value.split(/[?#]/, 1);
  if (!path || !PORTAL_PATH.test(path) || path.includes('//') || path.split('/').includes('..'))
    return undefined;
  // Browsers and URL parsers must agree that this stays on our origin.
  const resolved = new URL(value, 'https://portal.invalid');
  if (resolved.origin !== 'https://portal.invalid') return undefined;
  return resolved.pathname + resolved.search + resolved.hash;
}
