import type { GroupModule } from '@allmende/groups';
import { categoryName, newsSettings } from './news-settings';

const moduleWith = (settings: Record<string, unknown>) => ({ settings }) as GroupModule;

describe('news settings', () => {
  it('reads categories, whether urgent alerts are allowed, and comments (on by default)', () => {
    const settings = newsSettings(
      moduleWith({ categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }], urgentAlerts: true }),
    );
    expect(settings).toEqual({
      categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }],
      urgentAlerts: true,
      comments: true,
    });
    expect(newsSettings(moduleWith({ categories: [], comments: false })).comments).toBe(false);
    expect(categoryName(settings, 'baustellen')).toEqual({ de: 'Baustellen' });
  });

  it('allows no categories and no urgent alerts when the settings say nothing', () => {
    expect(newsSettings(moduleWith({}))).toEqual({ categories: [], urgentAlerts: false, comments: true });
    // Broken settings: nothing is allowed rather than everything.
    expect(newsSettings(moduleWith({ categories: 'kaputt' }))).toEqual({
      categories: [],
      urgentAlerts: false,
      comments: false,
    });
  });

  it('names a category that left the template by its key', () => {
    expect(categoryName({ categories: [], urgentAlerts: false, comments: true }, 'alt')).toEqual({
      de: 'alt',
    });
  });
});
