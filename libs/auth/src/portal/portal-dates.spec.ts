import { formatDate, formatDateTime, formatTime } from './portal-dates';

describe('portal dates', () => {
  // 17:30 UTC is 18:30 in Berlin in November (CET) and 12:30 in New York.
  const instant = new Date('2026-11-25T17:30:00Z');

  it('formats in the community time zone, German style for de', () => {
    expect(formatTime(instant, 'de', 'Europe/Berlin')).toBe('18:30');
    expect(formatTime(instant, 'de', 'America/New_York')).toBe('12:30');
    expect(formatDate(instant, 'de', 'Europe/Berlin')).toBe('Mi., 25. Nov. 2026');
    expect(formatDateTime(instant, 'de', 'Europe/Berlin')).toContain('18:30');
  });

  it('formats English with day before month', () => {
    expect(formatDate(instant, 'en', 'Europe/Berlin')).toBe('Wed, 25 Nov 2026');
    expect(formatDateTime(instant, 'en', 'Europe/Berlin')).toContain('18:30');
  });

  it('takes the day from the time zone, not from UTC', () => {
    const lateEvening = new Date('2026-11-25T23:30:00Z');
    expect(formatDate(lateEvening, 'de', 'Europe/Berlin')).toBe('Do., 26. Nov. 2026');
  });
});
