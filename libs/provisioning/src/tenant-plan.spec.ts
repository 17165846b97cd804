import { templateGroup } from '@allmende/templates';
import { describePlan, plannedModules, plannedResources } from './tenant-plan';

const group = templateGroup.parse({
  key: 'grillhuette',
  name: { de: 'Grillhütte', en: 'Barbecue hut' },
  visibility: 'public',
  joinPolicy: 'open',
  modules: {
    booking: {
      resources: [{ key: 'grillhuette', name: { de: 'Grillhütte' }, minHours: 4, maxHours: 48 }],
      publicCalendar: true,
    },
    events: {},
  },
});

describe('tenant plan', () => {
  it('stores booking settings without the resources (they become rows of their own)', () => {
    expect(plannedModules(group)).toEqual([
      { module: 'booking', settings: { publicCalendar: true } },
      { module: 'events', settings: { rsvp: true } },
    ]);
  });

  it('lists the resources with their defaults filled in', () => {
    expect(plannedResources(group)).toEqual([
      {
        key: 'grillhuette',
        name: { de: 'Grillhütte' },
        minHours: 4,
        maxHours: 48,
        leadTimeDays: 0,
        windowDays: 365,
        approvalRequired: true,
      },
    ]);
  });

  it('describes a plan line by line', () => {
    expect(
      describePlan({
        kind: 'municipality',
        name: { de: 'Gemeinde' },
        locale: 'de',
        timezone: 'Europe/Berlin',
        digest: { frequency: 'daily', hour: 7, weekday: 1 },
        groups: [group],
      }),
    ).toEqual([
      '  grillhuette  "Grillhütte"  public/open  [booking, events]',
      '    resource grillhuette  "Grillhütte"',
    ]);
  });
});
