import { Catalogue, LOCALES } from '@allmende/i18n';
import { AUDIT_ACTIONS, JOIN_POLICY_KEYS, ROLE_KEYS, VISIBILITY_KEYS } from './portal-admin';

/** Every text the admin pages pick by code exists in both languages (an unknown key throws at render). */
describe('portal admin texts', () => {
  const catalogue = Catalogue.load();

  it.each(LOCALES)('names every audit action, role and group setting in %s', (locale) => {
    const keys = [
      ...[...AUDIT_ACTIONS].map((action) => `portal.admin.audit.action.${action}`),
      ...Object.values(ROLE_KEYS),
      ...Object.values(VISIBILITY_KEYS).flatMap((key) => [key, `${key}Hint`]),
      ...Object.values(JOIN_POLICY_KEYS).flatMap((key) => [key, `${key}Hint`]),
    ];
    expect(AUDIT_ACTIONS.size).toBeGreaterThan(40);
    for (const key of keys) expect(catalogue.t(locale, key)).not.toBe('');
  });
});
