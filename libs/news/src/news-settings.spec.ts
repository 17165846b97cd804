import type { GroupModule } from '@allmende/groups';
import { categoryName, newsSettings } from './news-settings';

const moduleWith = (settings: Record<string, unknown>) => ({ settings }) as GroupModule;

describe('news settings', () => {
  it('reads categories and whether urgent alerts are allowed', () => {
    const settings = newsSettings(
      moduleWith({ categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }], urgentAlerts: true }),
    );
    expect(settings).toEqual({
      categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }],
      urgentAlerts: true,
    });
    expect(categoryName(settings, 'baustellen')).toEqual({ de: 'Baustellen' });
  });

  it('allows no categories and no urgent alerts when the settings say nothing', () => {
    expect(newsSettings(moduleWith({}))).toEqual({ categories: [], urgentAlerts: false });
    expect(newsSettings(moduleWith({ categories: 'kaputt' }))).toEqual({
      categories: [],
      urgentAlerts: false,
    });
  });

  it('names a category that left the template by its key', () => {
    expect(categoryName({ categories: [], urgentAlerts: false }, 'alt')).toEqual({ de: 'alt' });
  });
});
