import type { MailLanguage } from '@allmende/mail';

/**
 * Creating an Intl.DateTimeFormat costs far more than using one (locale data is resolved
 * each time), and a digest run formats the same few (language, zone) pairs thousands of
 * times. Formatters are immutable, so one per pair is kept for the process's life; the pairs
 * are bounded by languages × the zones members chose.
 */
const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** "14:00" in the language's convention and the zone. */
export function timeFormat(language: MailLanguage, timeZone: string): Intl.DateTimeFormat {
  const key = `${language}|${timeZone}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'de-DE', {
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    });
    timeFormats.set(key, format);
  }
  return format;
}
