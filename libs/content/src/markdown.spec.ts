import { renderMarkdown } from './markdown';

describe('renderMarkdown', () => {
  it('renders what people write', () => {
    expect(renderMarkdown('**Baustelle** in der *Hauptstraße*')).toBe(
      '<p><strong>Baustelle</strong> in der <em>Hauptstraße</em></p>\n',
    );
    expect(renderMarkdown('[Fahrplan](https://vrm.example/plan)')).toBe(
      '<p><a href="https://vrm.example/plan" rel="nofollow noopener noreferrer">Fahrplan</a></p>\n',
    );
  });

  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[klick](javascript:alert(1))',
    '[klick](JaVaScRiPt:alert(1))',
    '[klick](data:text/html;base64,PHNjcmlwdD4=)',
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    '![x](javascript:alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
  ])('leaves %p inert', (payload) => {
    const html = renderMarkdown(payload);
    // The second time comes from the cache of rendered texts: the same sanitised HTML.
    expect(renderMarkdown(payload)).toBe(html);
    // Text may say anything (escaped, it is only text); the tags are what must be harmless.
    for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
      expect(tag).toMatch(/^<(p|a|br|strong|em|code|pre)[\s>]/);
      expect(tag).not.toMatch(/\son\w+=|style=|src=/i);
      const href = /href="([^"]*)"/.exec(tag)?.[1];
      if (href !== undefined) expect(href).toMatch(/^(https?:|mailto:)/);
    }
    expect(html).not.toMatch(/<(script|img|svg|iframe|div|style)/i);
  });
});
