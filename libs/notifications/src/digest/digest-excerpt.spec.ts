import { markdownExcerpt, shorten } from './digest-excerpt';

describe('markdownExcerpt', () => {
  it('keeps the text of Markdown and drops its markup', () => {
    expect(
      markdownExcerpt(
        '# Straßenfest\n\nAm **Samstag** ist [hier](https://example.org) _viel_ los.\n\n- Kuchen\n- `Musik`',
      ),
    ).toBe('Straßenfest Am Samstag ist hier viel los. Kuchen Musik');
  });

  it('drops HTML tags and keeps the alt text of images', () => {
    expect(markdownExcerpt('Vorher <script>alert(1)</script> ![Ein Bild](x.png) nachher')).toBe(
      'Vorher alert(1) Ein Bild nachher',
    );
  });

  it('cuts long text at a word boundary with an ellipsis, within the limit', () => {
    const excerpt = markdownExcerpt('Wort '.repeat(100));
    expect(excerpt.length).toBeLessThanOrEqual(200);
    expect(excerpt).toMatch(/^(Wort )+Wort…$/);
  });

  it('cuts one overlong word hard', () => {
    expect(shorten('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('leaves short text alone', () => {
    expect(markdownExcerpt('Kurz.')).toBe('Kurz.');
  });
});
