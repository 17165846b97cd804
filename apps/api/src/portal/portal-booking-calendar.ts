import { DateTime } from 'luxon';
import type { Locale } from '@allmende/i18n';

/** A held slot as the portal shows it (BookingService.occupancy, possibly coarsened). */
export interface HeldSlot {
  start: string;
  end: string;
  state: 'busy' | 'tentative';
}

/** How a day of the month is taken: any approved booking makes it busy, else any request tentative. */
export type DayState = 'free' | 'tentative' | 'busy';

export interface CalendarDay {
  /** ISO date (YYYY-MM-DD) in the community's time zone. */
  date: string;
  /** Stable element id: `day-<resource>-<date>`. */
  id: string;
  day: number;
  state: DayState;
  /** Catalogue key of the state's word (free / angefragt / belegt). */
  stateKey: string;
}

export interface CalendarMonth {
  /** "November 2026" in the page's language. */
  title: string;
  weekdays: string[];
  /** Weeks from Monday; null pads the days before the 1st and after the last. */
  weeks: (CalendarDay | null)[][];
}

/**
 * The month grid of one resource: each day free, tentative or busy by the slots that overlap
 * it in the community's time zone. A day only partly held still counts as held: the grid says
 * "look closer", the request form and the database decide exactly.
 */
export function monthCalendar(
  resourceKey: string,
  monthStart: DateTime,
  slots: HeldSlot[],
  locale: Locale,
): CalendarMonth {
  const start = monthStart.startOf('month');
  const held = slots.map((slot) => ({
    start: DateTime.fromISO(slot.start).toMillis(),
    end: DateTime.fromISO(slot.end).toMillis(),
    state: slot.state,
  }));
  const days: CalendarDay[] = [];
  for (let day = start; day.hasSame(start, 'month'); day = day.plus({ days: 1 })) {
    const from = day.toMillis();
    const to = day.plus({ days: 1 }).toMillis();
    const overlapping = held.filter((slot) => slot.start < to && slot.end > from);
    const state: DayState = overlapping.some((slot) => slot.state === 'busy')
      ? 'busy'
      : overlapping.length > 0
        ? 'tentative'
        : 'free';
    days.push({
      date: day.toISODate()!,
      id: `day-${resourceKey}-${day.toISODate()}`,
      day: day.day,
      state,
      stateKey: `portal.booking.state.${state}`,
    });
  }
  const weeks: (CalendarDay | null)[][] = [];
  let week: (CalendarDay | null)[] = Array.from({ length: start.weekday - 1 }, () => null);
  for (const day of days) {
    week.push(day);
    if (week.length === 7) {
      weeks.push(week);
      week = [];
    }
  }
  if (week.length > 0) weeks.push([...week, ...Array.from({ length: 7 - week.length }, () => null)]);
  const monday = start.startOf('week');
  return {
    title: start.setLocale(locale).toFormat('LLLL yyyy'),
    weekdays: Array.from({ length: 7 }, (_, index) =>
      monday.plus({ days: index }).setLocale(locale).toFormat('ccc'),
    ),
    weeks,
  };
}
