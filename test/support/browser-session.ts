/**
 * A minimal browser for HTTP tests: a cookie jar (cookies by host, not port, as browsers
 * keep them), redirects followed by hand so each hop can be checked.
 */
export class BrowserSession {
  private readonly cookies = new Map<string, Map<string, string>>();
  /** Every Set-Cookie header seen, for checking the cookies' flags. */
  readonly setCookies: string[] = [];

  async request(
    url: string,
    init: {
      method?: string;
      form?: Record<string, string>;
      /** A multipart/form-data body (uploads); fetch sets the boundary. */
      multipart?: FormData;
      headers?: Record<string, string>;
    } = {},
  ) {
    const target = new URL(url);
    const jar = this.cookies.get(target.hostname);
    const headers: Record<string, string> = { ...init.headers };
    if (jar && jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | FormData | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.multipart) {
      body = init.multipart;
    }
    const response = await fetch(target, {
      method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) this.store(target.hostname, cookie);
    return response;
  }

  /** Follows redirects from `url` until a non-redirect answer; returns it and the hops. */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}, maxHops = 10) {
    const hops: string[] = [url];
    let response = await this.request(url, init);
    while (response.status >= 300 && response.status < 400 && hops.length <= maxHops) {
      const next = new URL(response.headers.get('location')!, hops.at(-1)).href;
      hops.push(next);
      response = await this.request(next);
    }
    return { response, hops, url: hops.at(-1)! };
  }

  cookie(host: string, name: string): string | undefined {
    return this.cookies.get(host)?.get(name);
  }

  private store(host: string, header: string): void {
    const [pair = '', ...attributes] = header.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    this.setCookies.push(header);
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    this.cookies.set(host, jar);
    const expired = attributes.some((attribute) => {
      const [key = '', setting = ''] = attribute.trim().split('=');
      if (key.toLowerCase() === 'max-age') return Number(setting) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(setting) <= Date.now();
      return false;
    });
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}

/** The value of a form field in an HTML page (e.g. the CSRF token). */
export function formValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input[^>]*name=["']${name}["'][^>]*>`, 'i').exec(html)?.[0];
  return input ? /value=(["'])(.*?)\1/.exec(input)?.[2] : undefined;
}

/** The action of the first form in an HTML page, resolved against the page's URL. */
export function formAction(html: string, pageUrl: string): string {
  const action = /<form[^>]*action=(["'])(.*?)\1/i.exec(html)?.[2];
  if (action === undefined) throw new Error(`no form in the page:\n${html.slice(0, 500)}`);
  return new URL(action.replace(/&amp;/g, '&'), pageUrl).href;
}
