import { latestDigestPeriod } from './digest-schedule';

const berlin = 'Europe/Berlin';
const daily = { frequency: 'daily', hour: 7, weekday: 1 } as const;

describe('latestDigestPeriod', () => {
  it('is null for members who switched digests off', () => {
    expect(latestDigestPeriod({ ...daily, frequency: 'off' }, berlin, new Date())).toBeNull();
  });

  it('is due from 07:00 local on, and yesterday’s period before', () => {
    const before = latestDigestPeriod(daily, berlin, new Date('2026-11-25T05:59:59Z'));
    expect(before?.key).toBe('digest.daily.2026-11-24');
    const at = latestDigestPeriod(daily, berlin, new Date('2026-11-25T06:00:00Z'));
    expect(at).toEqual({
      frequency: 'daily',
      key: 'digest.daily.2026-11-25',
      dueAt: new Date('2026-11-25T06:00:00Z'),
      previousDueAt: new Date('2026-11-24T06:00:00Z'),
    });
  });

  it('keeps 07:00 local across the autumn change (CEST → CET)', () => {
    // 2026-10-25: clocks go back at 03:00 CEST. 07:00 is 05:00Z before, 06:00Z after.
    const saturday = latestDigestPeriod(daily, berlin, new Date('2026-10-24T05:00:00Z'));
    expect(saturday?.key).toBe('digest.daily.2026-10-24');
    const sundayEarly = latestDigestPeriod(daily, berlin, new Date('2026-10-25T05:30:00Z'));
    expect(sundayEarly?.key).toBe('digest.daily.2026-10-24');
    const sunday = latestDigestPeriod(daily, berlin, new Date('2026-10-25T06:00:00Z'));
    expect(sunday?.key).toBe('digest.daily.2026-10-25');
    expect(sunday?.previousDueAt).toEqual(new Date('2026-10-24T05:00:00Z'));
  });

  it('keeps 07:00 local across the spring change (CET → CEST)', () => {
    // 2027-03-28: clocks go forward at 02:00 CET. 07:00 is 06:00Z before, 05:00Z after.
    expect(latestDigestPeriod(daily, berlin, new Date('2027-03-28T04:59:59Z'))?.key).toBe(
      'digest.daily.2027-03-27',
    );
    const sunday = latestDigestPeriod(daily, berlin, new Date('2027-03-28T05:00:00Z'));
    expect(sunday?.key).toBe('digest.daily.2027-03-28');
    expect(sunday?.dueAt).toEqual(new Date('2027-03-28T05:00:00Z'));
    expect(sunday?.previousDueAt).toEqual(new Date('2027-03-27T06:00:00Z'));
  });

  it('moves an hour that does not exist on the spring-forward day by the gap', () => {
    const period = latestDigestPeriod({ ...daily, hour: 2 }, berlin, new Date('2027-03-28T12:00:00Z'));
    // 02:00 CET does not exist that day: 03:00 CEST = 01:00Z.
    expect(period?.dueAt).toEqual(new Date('2027-03-28T01:00:00Z'));
  });

  it('uses the member’s own zone', () => {
    const period = latestDigestPeriod(daily, 'America/New_York', new Date('2026-11-25T11:59:00Z'));
    expect(period?.key).toBe('digest.daily.2026-11-24');
    expect(latestDigestPeriod(daily, 'America/New_York', new Date('2026-11-25T12:00:00Z'))?.key).toBe(
      'digest.daily.2026-11-25',
    );
  });

  it('gives weekly periods ISO week keys on the chosen weekday', () => {
    const weekly = { frequency: 'weekly', hour: 7, weekday: 1 } as const; // Mondays
    // Wednesday 2026-11-25: the latest Monday 07:00 is 2026-11-23 (ISO week 48).
    const period = latestDigestPeriod(weekly, berlin, new Date('2026-11-25T10:00:00Z'));
    expect(period).toEqual({
      frequency: 'weekly',
      key: 'digest.weekly.2026-W48',
      dueAt: new Date('2026-11-23T06:00:00Z'),
      previousDueAt: new Date('2026-11-16T06:00:00Z'),
    });
    // Monday before 07:00 local: still last week's period.
    expect(latestDigestPeriod(weekly, berlin, new Date('2026-11-30T05:59:00Z'))?.key).toBe(
      'digest.weekly.2026-W48',
    );
    expect(latestDigestPeriod(weekly, berlin, new Date('2026-11-30T06:00:00Z'))?.key).toBe(
      'digest.weekly.2026-W49',
    );
    // ISO week-year: Monday 2026-12-28 is in week 53 of 2026; 2027-01-04 in week 1 of 2027.
    expect(latestDigestPeriod(weekly, berlin, new Date('2027-01-01T12:00:00Z'))?.key).toBe(
      'digest.weekly.2026-W53',
    );
  });

  it('rejects an unknown time zone', () => {
    expect(() => latestDigestPeriod(daily, 'Mars/Olympus', new Date())).toThrow(/time zone/);
  });
});
