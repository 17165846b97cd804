import type { Locale } from '@allmende/i18n';

/** German formats for `de` (25.11.2026, 18:30), British day-month order for `en` (25 Nov 2026, 18:30). */
const INTL_LOCALE: Record<Locale, string> = { de: 'de-DE', en: 'en-GB' };

type Style = 'date' | 'dateTime' | 'time';

const OPTIONS: Record<Style, Intl.DateTimeFormatOptions> = {
  date: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
  dateTime: {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
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

/** The day in the community's time zone ("Mi., 25. Nov. 2026"). */
export function formatDate(value: Date, locale: Locale, timeZone: string): string {
  return formatter('date', locale, timeZone).format(value);
}

/** Day and time in the community's time zone ("Mi., 25. Nov. 2026, 18:30"). */
export function formatDateTime(value: Date, locale: Locale, timeZone: string): string {
  return formatter('dateTime', locale, timeZone).format(value);
}

/** The time of day in the community's time zone ("18:30"). */
export function formatTime(value: Date, locale: Locale, timeZone: string): string {
  return formatter('time', locale, timeZone).format(value);
}
