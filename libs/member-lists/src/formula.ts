/**
 * Characters that make a spreadsheet read a cell as a formula (CSV/formula injection):
 * `=`, `+`, `-`, `@`, tab, carriage return, and NUL (OWASP ASVS 5.0 requirement 1.2.10 and
 * the OWASP "CSV Injection" page).
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\0']);

/**
 * Neutralises a cell for CSV export: a value beginning with a formula trigger gets a single
 * quote in front, so spreadsheets show it as text instead of evaluating it.
 */
export function neutralizeFormula(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value[0]!) ? `'${value}` : value;
}

/**
 * The inverse, for import: a cell that looks like one of our neutralised cells (`'` followed
 * by a formula trigger) is restored, so that exporting and importing a list again changes
 * nothing. Any other value is returned as it is.
 */
export function restoreNeutralizedFormula(value: string): string {
  return value.length > 1 && value[0] === "'" && FORMULA_TRIGGERS.has(value[1]!) ? value.slice(1) : value;
}
