import { formatDate, formatDateClock, formatDateTime, formatTime, formatUntil } from './portal-dates';

describe('portal dates', () => {
  // 17:30 UTC is 18:30 in Berlin in November (CET) and 12:30 in New York.
  const instant = new Date('2026-11-25T17:30:00Z');

  it('formats in the community time zone, German style for de', () => {
    expect(formatTime(instant, 'de', 'Europe/Berlin')).toBe('18:30 Uhr');
    expect(formatTime(instant, 'de', 'America/New_York')).toBe('12:30 Uhr');
    expect(formatDate(instant, 'de', 'Europe/Berlin')).toBe('Mi., 25. November 2026');
    // DESIGN.md §7's pattern (its 14 June 2026 is a Sunday; the 13th is the Saturday).
    expect(formatDateTime(new Date('2026-06-13T16:00:00Z'), 'de', 'Europe/Berlin')).toBe(
      'Sa., 13. Juni 2026, 18:00 Uhr',
    );
    expect(formatDateTime(instant, 'de', 'Europe/Berlin')).toBe('Mi., 25. November 2026, 18:30 Uhr');
  });

  it('formats English with day before month', () => {
    expect(formatDate(instant, 'en', 'Europe/Berlin')).toBe('Wed, 25 November 2026');
    expect(formatDateTime(instant, 'en', 'Europe/Berlin')).toBe('Wed, 25 November 2026, 18:30');
    expect(formatTime(instant, 'en', 'Europe/Berlin')).toBe('18:30');
  });

  it('takes the day from the time zone, not from UTC', () => {
    const lateEvening = new Date('2026-11-25T23:30:00Z');
    expect(formatDate(lateEvening, 'de', 'Europe/Berlin')).toBe('Do., 26. November 2026');
  });

  it('writes a range on one day as German does, and names the end day otherwise', () => {
    const end = new Date('2026-11-25T21:00:00Z');
    expect(
      `${formatDateClock(instant, 'de', 'Europe/Berlin')} – ${formatUntil(instant, end, 'de', 'Europe/Berlin')}`,
    ).toBe('Mi., 25. November 2026, 18:30 – 22:00 Uhr');
    // 00:30 in Berlin is the next day there (though the same day in UTC).
    const pastMidnight = new Date('2026-11-25T23:30:00Z');
    expect(formatUntil(instant, pastMidnight, 'de', 'Europe/Berlin')).toBe(
      'Do., 26. November 2026, 00:30 Uhr',
    );
    expect(formatUntil(instant, end, 'en', 'Europe/Berlin')).toBe('22:00');
  });
});
