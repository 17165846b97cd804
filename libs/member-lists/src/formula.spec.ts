import { neutralizeFormula, restoreNeutralizedFormula } from './formula';

describe('neutralizeFormula', () => {
  it.each([
    ['=HYPERLINK("https://evil.example","Klick")', `'=HYPERLINK("https://evil.example","Klick")`],
    ['+49 2623 1234', "'+49 2623 1234"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['\0x', "'\0x"],
  ])('prefixes %j with a single quote', (input, expected) => {
    expect(neutralizeFormula(input)).toBe(expected);
  });

  it.each(['', 'Müller', 'anna@example.org', '02623 1234', ' =1+1', "'quoted", 'a=b', 'Jean-Luc'])(
    'leaves %j alone',
    (input) => {
      expect(neutralizeFormula(input)).toBe(input);
    },
  );

  it('is undone by restoreNeutralizedFormula', () => {
    for (const value of ['=1+1', '+49 2623', '-x', '@x', 'Müller', '', "'plain", "'"]) {
      expect(restoreNeutralizedFormula(neutralizeFormula(value))).toBe(value);
    }
  });

  it('restores only what looks neutralised', () => {
    expect(restoreNeutralizedFormula("'=1+1")).toBe('=1+1');
    expect(restoreNeutralizedFormula("'Hallo")).toBe("'Hallo");
    expect(restoreNeutralizedFormula("''=1")).toBe("''=1");
    expect(restoreNeutralizedFormula("'")).toBe("'");
  });
});
