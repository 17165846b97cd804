import { listBuiltInTemplates, loadTemplate, parseTemplate, TemplateError } from './template-loader';
import type { TenantTemplate } from './template.schema';

const BUILT_IN = ['church', 'municipality', 'nonprofit', 'school', 'sports-club'];

/** The problems of a template text that must not validate. */
function problemsOf(text: string): string[] {
  try {
    parseTemplate(text, 'test.yaml');
  } catch (error) {
    if (error instanceof TemplateError) return error.problems;
    throw error;
  }
  throw new Error('the template validated');
}

/** A valid template with one group around the given module lines (indented for `modules:`). */
function withModules(modules: string): string {
  return [
    'kind: municipality',
    'name: { de: Testgemeinde }',
    'groups:',
    '  - key: huette',
    '    name: { de: Hütte }',
    '    visibility: public',
    '    joinPolicy: open',
    '    modules:',
    modules.replace(/^/gm, '      '),
  ].join('\n');
}

function resource(lines: string): string {
  return withModules(
    [
      'booking:',
      '  resources:',
      '    - key: huette',
      '      name: { de: Hütte }',
      lines.replace(/^/gm, '      '),
    ].join('\n'),
  );
}

describe('built-in tenant templates', () => {
  it('ships the five templates', async () => {
    expect(await listBuiltInTemplates()).toEqual(BUILT_IN);
  });

  it.each(BUILT_IN)('%s loads and validates, in German and English', async (name) => {
    const template = await loadTemplate(name);
    expect(template.kind).toBe(name.replace('-', '_'));
    expect(template).toMatchObject({ locale: 'de', timezone: 'Europe/Berlin' });
    expect(template.name.en).toBeTruthy();
    expect(template.description?.de).toBeTruthy();
    expect(template.description?.en).toBeTruthy();
    for (const group of template.groups) {
      expect(group.name.en).toBeTruthy();
      expect(group.description?.de).toBeTruthy();
      expect(group.description?.en).toBeTruthy();
      for (const category of group.modules.news?.categories ?? []) expect(category.name.en).toBeTruthy();
      for (const bookable of group.modules.booking?.resources ?? []) {
        expect(bookable.name.en).toBeTruthy();
        expect(bookable.houseRules?.de).toBeTruthy();
        expect(bookable.houseRules?.en).toBeTruthy();
        expect(bookable.fee?.de).toBeTruthy();
        expect(bookable.fee?.en).toBeTruthy();
      }
    }
  });

  it('also finds sports_club by its kind', async () => {
    expect((await loadTemplate('sports_club')).kind).toBe('sports_club');
  });

  describe('municipality', () => {
    let template: TenantTemplate;
    const group = (key: string) => template.groups.find((candidate) => candidate.key === key)!;
    const modulesOf = (key: string) =>
      Object.entries(group(key).modules)
        .filter(([, settings]) => settings !== undefined)
        .map(([module]) => module)
        .sort();

    beforeAll(async () => {
      template = await loadTemplate('municipality');
    });

    it('starts with the four groups residents know, in order', () => {
      expect(template.kind).toBe('municipality');
      expect(template.groups.slice(0, 4).map(({ key, name }) => [key, name.de])).toEqual([
        ['neuigkeiten', 'Neuigkeiten'],
        ['gesucht-gefunden', 'Gesucht – Gefunden'],
        ['mach-mit', 'Mach mit!'],
        ['grillhuette', 'Grillhütte'],
      ]);
      expect(template.groups.length).toBeGreaterThanOrEqual(6);
    });

    it('Neuigkeiten: public news with the five categories and urgent alerts, plus events', () => {
      expect(group('neuigkeiten')).toMatchObject({ visibility: 'public', joinPolicy: 'open' });
      expect(modulesOf('neuigkeiten')).toEqual(['events', 'news']);
      const news = group('neuigkeiten').modules.news!;
      expect(news.urgentAlerts).toBe(true);
      expect(news.categories.map(({ key, name }) => [key, name.de])).toEqual([
        ['baustellen', 'Baustellen'],
        ['versorgung', 'Versorgung (Strom, Wasser)'],
        ['feuerwehr', 'Feuerwehr'],
        ['veranstaltungen', 'Veranstaltungen'],
        ['allgemein', 'Allgemein'],
      ]);
    });

    it('Gesucht – Gefunden: listings for lost, found and missing pets', () => {
      expect(group('gesucht-gefunden')).toMatchObject({ visibility: 'members', joinPolicy: 'open' });
      expect(modulesOf('gesucht-gefunden')).toEqual(['listings']);
      expect(group('gesucht-gefunden').modules.listings).toEqual({
        kinds: ['lost', 'found', 'missing_pet'],
        expiryDays: 60,
      });
    });

    it('Mach mit!: volunteering and events', () => {
      expect(group('mach-mit')).toMatchObject({ visibility: 'members', joinPolicy: 'open' });
      expect(modulesOf('mach-mit')).toEqual(['events', 'volunteering']);
    });

    it('Grillhütte: one bookable hut with approval, fee, deposit and house rules; public calendar', () => {
      expect(group('grillhuette')).toMatchObject({ visibility: 'public', joinPolicy: 'open' });
      expect(modulesOf('grillhuette')).toEqual(['booking', 'events']);
      const booking = group('grillhuette').modules.booking!;
      expect(booking.publicCalendar).toBe(true);
      expect(booking.resources).toHaveLength(1);
      const hut = booking.resources[0]!;
      expect(hut).toMatchObject({ key: 'grillhuette', name: { de: 'Grillhütte' }, approvalRequired: true });
      expect(hut.depositCents).toBe(10000);
      expect(hut.fee?.de).toMatch(/€/);
      expect(hut.houseRules?.de).toMatch(/Nachtruhe ab 22 Uhr/);
      expect(hut.houseRules?.de).toMatch(/Müll/);
      expect(hut.houseRules?.de).toMatch(/Feuerstelle/);
      expect(hut.houseRules?.de).toMatch(/Schlüsselübergabe/);
      expect(hut.maxHours).toBeGreaterThanOrEqual(hut.minHours);
      expect(hut.leadTimeDays).toBeGreaterThan(0);
      expect(hut.capacity).toBeGreaterThan(0);
      expect(hut.place).toBeTruthy();
    });
  });
});

describe('parseTemplate: problems name the field', () => {
  it('fills in the defaults of a minimal template', () => {
    expect(parseTemplate(withModules('discussions: {}'), 'test.yaml')).toEqual({
      kind: 'municipality',
      name: { de: 'Testgemeinde' },
      locale: 'de',
      timezone: 'Europe/Berlin',
      digest: { frequency: 'daily', hour: 7, weekday: 1 },
      groups: [
        {
          key: 'huette',
          name: { de: 'Hütte' },
          visibility: 'public',
          joinPolicy: 'open',
          modules: { discussions: {} },
        },
      ],
    });
  });

  it('a resource with a text for maxHours', () => {
    expect(problemsOf(resource('minHours: 2\nmaxHours: viele'))).toEqual([
      'groups[0].modules.booking.resources[0].maxHours: Invalid input: expected number, received string',
    ]);
  });

  it('maxHours less than minHours', () => {
    expect(problemsOf(resource('minHours: 4\nmaxHours: 2'))).toEqual([
      'groups[0].modules.booking.resources[0].maxHours: must not be less than minHours',
    ]);
  });

  it('a place longer than the database column', () => {
    expect(problemsOf(resource(`minHours: 2\nmaxHours: 4\nplace: ${'x'.repeat(201)}`))).toEqual([
      'groups[0].modules.booking.resources[0].place: Too big: expected string to have <=200 characters',
    ]);
  });

  it('an unknown module', () => {
    expect(problemsOf(withModules('news: { categories: [{ key: a, name: { de: A } }] }\nchat: {}'))).toEqual([
      'groups[0].modules: Unrecognized key: "chat"',
    ]);
  });

  it('a group without modules', () => {
    expect(problemsOf(withModules('{}'))).toEqual(['groups[0].modules: a group needs a module']);
  });

  it('duplicate group keys', () => {
    const text = `${withModules('polls: {}')}\n${withModules('files: {}').split('\n').slice(3).join('\n')}`;
    expect(problemsOf(text)).toEqual(['groups[1].key: duplicate group key "huette"']);
  });

  it('a name without German', () => {
    expect(problemsOf(withModules('polls: {}').replace('{ de: Testgemeinde }', '{ en: Test town }'))).toEqual(
      ['name.de: Invalid input: expected string, received undefined'],
    );
  });

  it('an unknown time zone', () => {
    expect(problemsOf(`timezone: Europe/Bonn\n${withModules('polls: {}')}`)).toEqual([
      'timezone: unknown time zone',
    ]);
  });

  it('several problems at once, each with its path', () => {
    const text = withModules('polls: {}')
      .replace('kind: municipality', 'kind: castle')
      .replace('visibility: public', 'visibility: secret');
    expect(problemsOf(text)).toEqual([
      'kind: Invalid option: expected one of "municipality"|"church"|"sports_club"|"school"|"nonprofit"',
      'groups[0].visibility: Invalid option: expected one of "public"|"members"|"private"',
    ]);
  });

  it('invalid YAML: a duplicate key names the line', () => {
    expect(problemsOf(`kind: municipality\nname: { de: A }\nkind: school\n`)).toEqual([
      'YAML line 3: Map keys must be unique',
    ]);
  });

  it('invalid YAML: bad indentation names the line', () => {
    expect(problemsOf('kind: municipality\nname:\n  de: A\n en: B\ngroups: []\n')).toEqual([
      'YAML line 4: All mapping items must start at the same column',
    ]);
  });

  it('an empty file', () => {
    expect(problemsOf('')).toEqual(['(top level): Invalid input: expected object, received null']);
  });

  it('TemplateError lists every problem in its message', () => {
    const error = (() => {
      try {
        parseTemplate(resource('minHours: 4\nmaxHours: 2'), 'test.yaml');
      } catch (caught) {
        return caught as TemplateError;
      }
    })();
    expect(error).toBeInstanceOf(TemplateError);
    expect(error?.source).toBe('test.yaml');
    expect(error?.message).toBe(
      'test.yaml is not a valid tenant template:\n' +
        '  - groups[0].modules.booking.resources[0].maxHours: must not be less than minHours',
    );
  });
});
