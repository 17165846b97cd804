import { calendarDaysBetween, checkBookingRules, localDate } from './booking-rules';

const hut = { minHours: 2, maxHours: 48, leadTimeDays: 3, windowDays: 30 };
const zone = 'Europe/Berlin';
// 2026-11-25 23:30 UTC is already the 26th in Berlin (UTC+1 in winter).
const now = new Date('2026-11-25T23:30:00Z');

describe('booking rules', () => {
  it('counts calendar days in the tenant zone', () => {
    expect(localDate(now, zone)).toBe('2026-11-26');
    expect(calendarDaysBetween(now, new Date('2026-11-28T23:30:00Z'), zone)).toBe(3);
    expect(calendarDaysBetween(now, new Date('2026-11-28T22:30:00Z'), zone)).toBe(2);
  });

  it('accepts a period within every rule', () => {
    const start = new Date('2026-12-05T10:00:00Z');
    expect(checkBookingRules(hut, { start, end: new Date('2026-12-05T18:00:00Z') }, now, zone)).toEqual([]);
  });

  it('names too short, too long, too soon, too far and past periods', () => {
    const at = (iso: string) => new Date(iso);
    expect(
      checkBookingRules(
        hut,
        { start: at('2026-12-05T10:00:00Z'), end: at('2026-12-05T11:00:00Z') },
        now,
        zone,
      ),
    ).toEqual([{ path: 'end', message: 'a booking lasts at least 2 hours' }]);
    expect(
      checkBookingRules(
        hut,
        { start: at('2026-12-05T10:00:00Z'), end: at('2026-12-08T10:00:00Z') },
        now,
        zone,
      ),
    ).toEqual([{ path: 'end', message: 'a booking lasts at most 48 hours' }]);
    expect(
      checkBookingRules(
        hut,
        { start: at('2026-11-28T10:00:00Z'), end: at('2026-11-28T14:00:00Z') },
        now,
        zone,
      ),
    ).toEqual([{ path: 'start', message: 'requests must come at least 3 days before the start' }]);
    expect(
      checkBookingRules(
        hut,
        { start: at('2027-01-10T10:00:00Z'), end: at('2027-01-10T14:00:00Z') },
        now,
        zone,
      ),
    ).toEqual([{ path: 'start', message: 'bookings may start at most 30 days ahead' }]);
    expect(
      checkBookingRules(
        hut,
        { start: at('2026-11-20T10:00:00Z'), end: at('2026-11-20T09:00:00Z') },
        now,
        zone,
      ),
    ).toEqual([
      { path: 'end', message: 'must be after start' },
      { path: 'start', message: 'must be in the future' },
    ]);
  });
});
