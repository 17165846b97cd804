/** One broken rule: which field, and why (shown to the requester). */
export interface RuleViolation {
  path: string;
  message: string;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** Whole calendar days from `from` to `to` in the zone (what "3 days ahead" means to people). */
export function calendarDaysBetween(from: Date, to: Date, timezone: string): number {
  const day = (instant: Date) => Date.parse(`${localDate(instant, timezone)}T00:00:00Z`);
  return Math.round((day(to) - day(from)) / 86_400_000);
}

/** The rules as numbers (double columns may come back as strings from the driver). */
interface Rules {
  minHours: number | string;
  maxHours: number | string;
  leadTimeDays: number;
  windowDays: number;
}

/**
 * The resource's rules for a requested period: duration between min and max hours, a start at
 * least `leadTimeDays` and at most `windowDays` calendar days after today (both counted in the
 * tenant's time zone), and not in the past.
 */
export function checkBookingRules(
  resource: Rules,
  period: { start: Date; end: Date },
  now: Date,
  timezone: string,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const minHours = Number(resource.minHours);
  const maxHours = Number(resource.maxHours);
  const hours = (period.end.getTime() - period.start.getTime()) / 3_600_000;
  if (hours <= 0) {
    violations.push({ path: 'end', message: 'must be after start' });
  } else if (hours < minHours) {
    violations.push({ path: 'end', message: `a booking lasts at least ${minHours} hours` });
  } else if (hours > maxHours) {
    violations.push({ path: 'end', message: `a booking lasts at most ${maxHours} hours` });
  }
  const daysAhead = calendarDaysBetween(now, period.start, timezone);
  if (period.start.getTime() <= now.getTime()) {
    violations.push({ path: 'start', message: 'must be in the future' });
  } else if (daysAhead < resource.leadTimeDays) {
    violations.push({
      path: 'start',
      message: `requests must come at least ${resource.leadTimeDays} days before the start`,
    });
  }
  if (daysAhead > resource.windowDays) {
    violations.push({
      path: 'start',
      message: `bookings may start at most ${resource.windowDays} days ahead`,
    });
  }
  return violations;
}
