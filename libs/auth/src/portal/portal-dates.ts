import type { Locale } from '@allmende/i18n';

/**
 * German formats for `de` as DESIGN.md §7 writes them ("Sa., 14. Juni 2026, 18:00 Uhr"), British
 * day-month order for `en` ("Sat, 14 June 2026, 18:00"). The month is written out: "Nov." and
 * "Nov" read less well aloud and at a glance.
 */
const INTL_LOCALE: Record<Locale, string> = { de: 'de-DE', en: 'en-GB' };

type Style = 'date' | 'time';

/** After a time of day, German writes "Uhr" ("18:00 Uhr"); English nothing. */
const CLOCK_SUFFIX: Record<Locale, string> = { de: ' Uhr', en: '' };

const OPTIONS: Record<Style, Intl.DateTimeFormatOptions> = {
  date: { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
};

/** Intl formatters are costly to build and pages format many dates: one per style, language and zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(style: Style, locale: Locale, timeZone: string): Intl.DateTimeFormat {
  const key = `${style}|${locale}|${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...OPTIONS[style], timeZone });
    formatters.set(key, format);
  }
  return format;
}

/** The day in the community's time zone ("Mi., 25. November 2026"). */
export function formatDate(value: Date, locale: Locale, timeZone: string): string {
  return formatter('date', locale, timeZone).format(value);
}

/** Day and time in the community's time zone ("Mi., 25. November 2026, 18:30 Uhr"). */
export function formatDateTime(value: Date, locale: Locale, timeZone: string): string {
  return formatDateClock(value, locale, timeZone) + CLOCK_SUFFIX[locale];
}

/** The time of day in the community's time zone ("18:30 Uhr"). */
export function formatTime(value: Date, locale: Locale, timeZone: string): string {
  return formatter('time', locale, timeZone).format(value) + CLOCK_SUFFIX[locale];
}

/** Day and time without "Uhr": the start of a range ("Mi., 25. November 2026, 18:30"). */
export function formatDateClock(value: Date, locale: Locale, timeZone: string): string {
  // Composed: with a written-out month, Intl joins day and time with "um" / "at".
  return `${formatDate(value, locale, timeZone)}, ${formatter('time', locale, timeZone).format(value)}`;
}

/**
 * The end of a range that starts at `start`: only the time on the same day ("22:00 Uhr", so
 * that "…, 18:30 – 22:00 Uhr" reads as German writes it), else day and time.
 */
export function formatUntil(start: Date, end: Date, locale: Locale, timeZone: string): string {
  const sameDay = formatDate(start, locale, timeZone) === formatDate(end, locale, timeZone);
  return sameDay ? formatTime(end, locale, timeZone) : formatDateTime(end, locale, timeZone);
}
