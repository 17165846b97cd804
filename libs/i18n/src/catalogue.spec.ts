import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalogue, negotiateLocale } from './catalogue';

describe('i18n catalogue', () => {
  it('loads templates/i18n with every key in German and English', () => {
    const catalogue = Catalogue.load();
    expect(catalogue.t('de', 'account.signedInAs', { name: 'Anna' })).toBe('Angemeldet als Anna');
    expect(catalogue.t('en', 'account.signedInAs', { name: 'Anna' })).toBe('Signed in as Anna');
    expect(() => catalogue.t('de', 'account.nope')).toThrow('unknown key "account.nope"');
  });

  it('refuses a catalogue where a language lacks a key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'allmende-i18n-'));
    try {
      await writeFile(join(dir, 'de.json'), JSON.stringify({ a: { b: 'x', c: 'y' } }));
      await writeFile(join(dir, 'en.json'), JSON.stringify({ a: { b: 'x' } }));
      expect(() => Catalogue.load(dir)).toThrow('en.json lacks "a.c"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['en', undefined, 'en'],
    [undefined, 'en-GB,en;q=0.9,de;q=0.8', 'en'],
    [undefined, 'fr-FR,de;q=0.5,en;q=0.4', 'de'],
    [undefined, 'fr', 'de'],
    [undefined, undefined, 'de'],
    ['xx', 'en', 'en'],
  ])('negotiates choice %p with Accept-Language %p to %p', (choice, header, expected) => {
    expect(negotiateLocale(choice, header)).toBe(expected);
  });
});
