import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { type ICalCalendar } from 'ical-generator';

/**
 * A calendar (RFC 5545) in the tenant's time zone, with its VTIMEZONE, so calendar apps show
 * local times correctly across daylight saving. Events get stable UIDs from their ids
 * (`<id>@allmende`), so apps update rather than duplicate them.
 */
export function createCalendar(name: string, timezone: string): ICalCalendar {
  return ical({
    name,
    prodId: { company: 'Allmende', product: 'allmende', language: 'DE' },
    timezone: { name: timezone, generator: getVtimezoneComponent },
    ttl: 60 * 60,
  });
}

/** The UID of an event of any module: stable across requests. */
export function calendarUid(kind: string, id: string): string {
  return `${kind}-${id}@allmende`;
}

/** Sends a calendar as `text/calendar`, private and not cached by proxies. */
export function calendarResponseHeaders(): Record<string, string> {
  return {
    'Content-Type': 'text/calendar; charset=utf-8',
    'Cache-Control': 'private, max-age=300',
    'X-Content-Type-Options': 'nosniff',
  };
}
