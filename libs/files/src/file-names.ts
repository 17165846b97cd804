/**
 * The name an uploader gave, made safe to keep and show: no directories, no control or
 * bidirectional-override characters, at most 255 characters. It is never used as a path.
 */
export function cleanFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).at(-1) ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '').trim();
  return Array.from(cleaned).slice(0, 255).join('') || 'file';
}

/**
 * `Content-Disposition` for a download: always `attachment`, with an ASCII fallback name
 * (quotes, backslashes and anything outside printable ASCII replaced) and the exact name
 * percent-encoded in `filename*` (RFC 6266/8187), so no name can inject a header or a parameter.
 */
export function attachmentDisposition(name: string): string {
  const fallback =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036F]/g, '')
      .replace(/[^\x20-\x7E]|["\\%;]/g, '_') || 'file';
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
