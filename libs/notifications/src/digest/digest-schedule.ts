import { DateTime } from 'luxon';

export interface DigestTiming {
  frequency: 'off' | 'daily' | 'weekly';
  /** Hour of the day, 0–23, local. */
  hour: number;
  /** ISO weekday of a weekly digest, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

/** The period a digest belongs to: its ledger key and the moment it became due. */
export interface DigestPeriod {
  frequency: 'daily' | 'weekly';
  /** `digest.daily.2026-11-25` or `digest.weekly.2026-W48`: one digest per member and key. */
  key: string;
  /** The local due time (e.g. 07:00 Europe/Berlin) as an instant: the digest covers what came before. */
  dueAt: Date;
  /** The due time of the period before: where a member's first digest starts. */
  previousDueAt: Date;
}

/**
 * The latest period whose due time has passed at `now`, in the member's own time zone, or
 * null for `off`. Computed on local calendar days, so 07:00 stays 07:00 local across the
 * daylight-saving changes (the day in between is 23 or 25 hours long). An hour that does not
 * exist on a spring-forward day (02:xx in Europe/Berlin) moves forward by the gap, as luxon does.
 */
export function latestDigestPeriod(timing: DigestTiming, timeZone: string, now: Date): DigestPeriod | null {
  if (timing.frequency === 'off') return null;
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  if (!local.isValid) throw new Error(`invalid time zone "${timeZone}"`);
  const dueOn = (day: DateTime) =>
    DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: timing.hour },
      { zone: timeZone },
    );
  if (timing.frequency === 'daily') {
    let due = dueOn(local);
    if (due > local) due = dueOn(local.minus({ days: 1 }));
    return {
      frequency: 'daily',
      key: `digest.daily.${due.toISODate()}`,
      dueAt: due.toJSDate(),
      previousDueAt: dueOn(due.minus({ days: 1 })).toJSDate(),
    };
  }
  const back = (local.weekday - timing.weekday + 7) % 7;
  let due = dueOn(local.minus({ days: back }));
  if (due > local) due = dueOn(due.minus({ days: 7 }));
  return {
    frequency: 'weekly',
    key: `digest.weekly.${due.toFormat("kkkk-'W'WW")}`,
    dueAt: due.toJSDate(),
    previousDueAt: dueOn(due.minus({ days: 7 })).toJSDate(),
  };
}
