import { mapHeader, normalizeHeader } from './headers';

describe('mapHeader', () => {
  it('maps the German headers of the export', () => {
    const mapping = mapHeader(['E-Mail', 'Vorname', 'Nachname', 'Telefon', 'Rolle', 'Gruppen']);
    expect(mapping.columns).toEqual(['email', 'givenName', 'familyName', 'phone', 'role', 'groups']);
    expect(mapping.ignored).toEqual([]);
    expect(mapping.problems).toEqual([]);
  });

  it('maps English headers, whatever their case and spacing', () => {
    const mapping = mapHeader([' EMAIL ', 'first  name', 'Last_Name', 'PHONE', 'role', 'Groups']);
    expect(mapping.columns).toEqual(['email', 'givenName', 'familyName', 'phone', 'role', 'groups']);
    expect(mapping.labels).toEqual({
      email: 'EMAIL',
      givenName: 'first  name',
      familyName: 'Last_Name',
      phone: 'PHONE',
      role: 'role',
      groups: 'Groups',
    });
  });

  it('accepts mixed languages and any order; lists unknown columns and ignores them', () => {
    const mapping = mapHeader(['Nachname', 'Bemerkung', 'e-mail', 'Vorname', '', 'Geburtstag']);
    expect(mapping.columns).toEqual(['familyName', undefined, 'email', 'givenName', undefined, undefined]);
    expect(mapping.ignored).toEqual(['Bemerkung', 'Geburtstag']);
    expect(mapping.problems).toEqual([]);
  });

  it('reports missing required columns', () => {
    const mapping = mapHeader(['E-Mail', 'Telefon']);
    expect(mapping.problems).toEqual(['missing columns "Vorname", "Nachname" (found: "E-Mail", "Telefon")']);
  });

  it('reports a field given twice', () => {
    const mapping = mapHeader(['E-Mail', 'Email', 'Vorname', 'Nachname']);
    expect(mapping.problems).toEqual(['columns "E-Mail" and "Email" (column 2) both give email']);
  });
});

describe('normalizeHeader', () => {
  it('ignores case, spaces, hyphens, underscores and dots', () => {
    expect(normalizeHeader('E-Mail')).toBe('email');
    expect(normalizeHeader(' e_mail ')).toBe('email');
    expect(normalizeHeader('Tel.')).toBe('tel');
    expect(normalizeHeader('First\u00a0Name')).toBe('firstname');
  });
});
