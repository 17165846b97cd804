import * as fs from 'node:fs';
import { MailRenderer } from './mail-renderer';
import type {
  AlertModel,
  DigestModel,
  DigestSections,
  MailCommunity,
  MailLanguage,
  MailRecipient,
  NoticeModel,
} from './mail-models';

const community: MailCommunity = {
  id: '0192f0c4-1111-7000-8000-000000000001',
  slug: 'ransbach-baumbach',
  name: 'Ransbach-Baumbach',
  portalUrl: 'https://allmende.example/t/ransbach-baumbach',
};

function recipient(language: MailLanguage, overrides: Partial<MailRecipient> = {}): MailRecipient {
  return {
    memberId: '0192f0c4-2222-7000-8000-000000000002',
    name: 'Anna Beispiel',
    email: 'anna@example.org',
    language,
    timeZone: 'Europe/Berlin',
    ...overrides,
  };
}

const emptySections: DigestSections = {
  urgent: [],
  news: [],
  listings: [],
  calls: [],
  events: [],
  activity: [],
  threads: [],
};

/** 2026-03-29T05:00Z is 07:00 in Berlin (summer time began that night at 02:00). */
const MORNING = new Date('2026-03-29T05:00:00Z');

function fullSections(): DigestSections {
  return {
    urgent: [
      {
        title: 'Sperrung der Hauptstraße',
        excerpt: 'Wegen Kanalarbeiten ist die Hauptstraße gesperrt.',
        groupName: 'Rathaus',
        urgency: 'urgent',
        pinned: false,
        publishedAt: MORNING,
        url: 'https://allmende.example/t/ransbach-baumbach/g/rathaus/news/1',
      },
    ],
    news: [
      {
        title: 'Neue Öffnungszeiten & mehr',
        excerpt: 'Das Bürgerbüro öffnet ab April auch samstags.',
        groupName: 'Rathaus',
        urgency: 'normal',
        pinned: false,
        publishedAt: MORNING,
        url: 'https://allmende.example/t/ransbach-baumbach/g/rathaus/news/2',
      },
    ],
    listings: [
      {
        title: 'Katze Minka vermisst',
        kind: 'missing_pet',
        groupName: 'Gesucht – Gefunden',
        createdAt: MORNING,
        url: 'https://allmende.example/t/ransbach-baumbach/g/markt/listings/3',
      },
    ],
    calls: [
      {
        title: 'Dorffest 2026',
        groupName: 'Vereinsring',
        openShifts: [{ label: 'Aufbau', startsAt: MORNING, missing: 3 }],
        openItems: [{ label: 'Kuchen', missing: 5 }],
        url: 'https://allmende.example/t/ransbach-baumbach/g/vereine/volunteering/4',
      },
    ],
    events: [
      {
        title: 'Gemeinderatssitzung',
        groupName: 'Rathaus',
        startsAt: new Date('2026-03-30T17:00:00Z'),
        endsAt: new Date('2026-03-30T19:00:00Z'),
        location: 'Bürgerhaus',
        myAnswer: 'yes',
        url: 'https://allmende.example/t/ransbach-baumbach/g/rathaus/events/5',
      },
    ],
    activity: [
      {
        messageKey: 'mail.digest.activity.bookingApproved',
        params: { resource: 'Grillhütte', from: MORNING },
        at: MORNING,
        url: 'https://allmende.example/t/ransbach-baumbach/g/rathaus/booking/requests/6',
      },
    ],
    threads: [
      {
        title: 'Erfahrungen mit Solaranlagen',
        groupName: 'Energie',
        authorName: 'Bernd',
        createdAt: MORNING,
        url: 'https://allmende.example/t/ransbach-baumbach/g/energie/discussions/7',
      },
    ],
  };
}

function digest(language: MailLanguage, sections: Partial<DigestSections> = fullSections()): DigestModel {
  return {
    community,
    recipient: recipient(language),
    frequency: 'daily',
    since: new Date('2026-03-28T05:00:00Z'),
    until: MORNING,
    sections: { ...emptySections, ...sections },
    preferencesUrl: 'https://allmende.example/t/ransbach-baumbach/me/notifications',
    unsubscribeUrl: 'https://allmende.example/unsubscribe/v1.abc_DEF-123',
  };
}

function alert(language: MailLanguage, overrides: Partial<AlertModel> = {}): AlertModel {
  return {
    community,
    recipient: recipient(language),
    phase: 'published',
    title: 'Wasserrohrbruch in der Bahnhofstraße',
    bodyText: 'Bitte Leitungswasser abkochen.',
    bodyHtml: '<p>Bitte <strong>Leitungswasser abkochen</strong>.</p>',
    followUp: null,
    groupName: 'Rathaus',
    publishedAt: MORNING,
    url: 'https://allmende.example/t/ransbach-baumbach/g/rathaus/news/9',
    preferencesUrl: 'https://allmende.example/t/ransbach-baumbach/me/notifications',
    unsubscribeUrl: 'https://allmende.example/unsubscribe/v1.alerts',
    ...overrides,
  };
}

function notice(language: MailLanguage, overrides: Partial<NoticeModel> = {}): NoticeModel {
  return {
    community,
    recipient: recipient(language),
    messageKey: 'mail.notice.shiftReminder',
    params: { call: 'Dorffest 2026', shift: 'Aufbau', startsAt: MORNING },
    details: [
      { label: 'Wann', value: MORNING },
      { label: 'Wo', value: 'Festplatz' },
    ],
    url: 'https://allmende.example/t/ransbach-baumbach/g/vereine/volunteering/4',
    preferencesUrl: 'https://allmende.example/t/ransbach-baumbach/me/notifications',
    ...overrides,
  };
}

/** Positions of the section headings in the HTML, to check their order. */
function order(html: string, keys: string[]): number[] {
  return keys.map((key) => html.indexOf(`id="section-${key}"`));
}

describe('MailRenderer', () => {
  const renderer = new MailRenderer();

  describe('digest', () => {
    it('renders every section in German, in order, in the recipient’s time zone', () => {
      const mail = renderer.renderDigest(digest('de'));
      expect(mail.subject).toBe('Neues in Ransbach-Baumbach – So., 29. März');
      expect(mail.html).toContain('<html lang="de"');
      const positions = order(mail.html, [
        'urgent',
        'news',
        'listings',
        'calls',
        'events',
        'activity',
        'threads',
      ]);
      expect(positions.every((position) => position > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      for (const heading of [
        'Wichtig',
        'Neuigkeiten',
        'Gesucht – Gefunden',
        'Mach mit!',
        'Neue Diskussionen',
      ]) {
        expect(mail.html).toContain(`>${heading}</h2>`);
      }
      // 05:00 UTC on the day summer time starts is 07:00 in Berlin.
      expect(mail.html).toContain('Rathaus · So., 29. März, 07:00');
      expect(mail.html).toContain('Ihre Buchung von Grillhütte ab So., 29. März, 07:00 wurde bestätigt.');
      expect(mail.html).toContain('Aufbau (So., 29. März, 07:00): noch 3 gesucht');
      expect(mail.html).toContain('Kuchen: noch 5 benötigt');
      expect(mail.html).toContain('Mo., 30. März, 19:00 – 21:00 · Bürgerhaus · Rathaus');
      expect(mail.html).toContain('Ihre Antwort: Zusage');
      expect(mail.html).toContain('Tier vermisst');
      expect(mail.html).toContain(
        'Hallo Anna Beispiel, das ist neu in Ransbach-Baumbach seit Sa., 28. März, 06:00.',
      );
    });

    it('renders in English with the English catalogue and times', () => {
      const mail = renderer.renderDigest({ ...digest('en'), frequency: 'weekly' });
      expect(mail.subject).toBe('Your week in Ransbach-Baumbach – Sun 29 Mar');
      expect(mail.html).toContain('<html lang="en"');
      expect(mail.html).toContain('Your booking of Grillhütte from Sun 29 Mar, 07:00 was approved.');
      expect(mail.html).toContain('Your answer: Going');
      expect(mail.html).toContain('weekly digest of Ransbach-Baumbach');
      expect(mail.text).toContain('EVENTS IN THE NEXT 7 DAYS');
    });

    it('leaves empty sections out entirely', () => {
      const sections = fullSections();
      const mail = renderer.renderDigest(digest('de', { news: sections.news, events: sections.events }));
      expect(order(mail.html, ['news', 'events']).every((position) => position > 0)).toBe(true);
      for (const key of ['urgent', 'listings', 'calls', 'activity', 'threads']) {
        expect(mail.html).not.toContain(`id="section-${key}"`);
      }
      expect(mail.html).not.toContain('Mach mit!');
      expect(mail.text).not.toContain('MACH MIT!');
      expect(mail.text).toContain('NEUIGKEITEN');
    });

    it('escapes titles in HTML and keeps the plain text free of entities', () => {
      const sections = fullSections();
      sections.news[0]!.title = '<script>alert("x")</script> Kaffee & Kuchen';
      const mail = renderer.renderDigest(digest('de', sections));
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain('&lt;script&gt;');
      expect(mail.html).toContain('Kaffee &amp; Kuchen');
      expect(mail.text).toContain('<script>alert("x")</script> Kaffee & Kuchen');
      expect(mail.text).not.toMatch(/&(amp|lt|gt|quot|#x27|#\d+);/);
    });

    it('links every item, the preferences and a visible unsubscribe link, in HTML and as full URLs in text', () => {
      const model = digest('de');
      const mail = renderer.renderDigest(model);
      const urls = Object.values(model.sections).flatMap((items: { url: string }[]) =>
        items.map((item) => item.url),
      );
      for (const url of [...urls, model.preferencesUrl, model.unsubscribeUrl, community.portalUrl]) {
        expect(mail.html).toContain(`href="${url}"`);
        expect(mail.text).toContain(url);
      }
      expect(mail.html).toMatch(
        /<a href="https:\/\/allmende\.example\/unsubscribe\/v1\.abc_DEF-123"[^>]*>Abbestellen<\/a>/,
      );
      expect(mail.text).toContain(
        'Keine Zusammenfassungen mehr: https://allmende.example/unsubscribe/v1.abc_DEF-123',
      );
      expect(mail.html).toContain('tägliche Zusammenfassung');
    });

    it('has a mail-client friendly HTML: inline styles, table layout, no <style> block, 600px', () => {
      const { html } = renderer.renderDigest(digest('de'));
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).not.toMatch(/<style[\s>]/);
      expect(html).not.toMatch(/class="/);
      expect(html).toContain('max-width:600px');
      expect(html).toContain('role="presentation"');
      expect(html).toMatch(/<h1[^>]*>Neues in Ransbach-Baumbach/);
    });

    it('uses the recipient’s own zone', () => {
      const model = digest('en');
      model.recipient.timeZone = 'America/New_York';
      // 05:00Z is 01:00 in New York (EDT since 8 March).
      expect(renderer.renderDigest(model).html).toContain('Sun 29 Mar, 01:00');
    });

    it('greets without a name when the member list has none', () => {
      const model = digest('de');
      model.recipient.name = '';
      expect(renderer.renderDigest(model).text).toContain('Hallo, das ist neu');
    });

    it('greets each member by name, also when their digests share one cached body', () => {
      const anna = digest('de');
      const ben = digest('de');
      ben.recipient = { ...ben.recipient, name: 'Ben <Braun>', memberId: 'b' };
      ben.unsubscribeUrl = 'https://allmende.example/unsubscribe/v1.ben';
      const first = renderer.renderDigest(anna);
      const second = renderer.renderDigest(ben);
      expect(second.html).toContain('Ben &lt;Braun&gt;');
      expect(second.html).not.toContain(anna.recipient.name);
      expect(second.text).toContain('Hallo Ben <Braun>');
      expect(second.html).toContain('https://allmende.example/unsubscribe/v1.ben');
      expect(second.html).not.toContain(anna.unsubscribeUrl);
      expect(second.html).not.toContain('\u0001');
      // Everything but the greeting and the member's own links is the same mail.
      expect(second.html.replace(/Ben &lt;Braun&gt;|v1\.ben/g, '')).toBe(
        first.html.replaceAll(anna.recipient.name, '').replaceAll(anna.unsubscribeUrl.split('/').at(-1)!, ''),
      );
    });

    it('throws on an activity sentence the catalogue lacks', () => {
      const sections = fullSections();
      sections.activity[0]!.messageKey = 'mail.digest.activity.nope';
      expect(() => renderer.renderDigest(digest('de', sections))).toThrow(
        'unknown key "mail.digest.activity.nope"',
      );
    });
  });

  describe('alert', () => {
    it('prefixes the subject and shows group, time, body and link', () => {
      const mail = renderer.renderAlert(alert('de'));
      expect(mail.subject).toBe('Dringend: Wasserrohrbruch in der Bahnhofstraße');
      expect(mail.html).toContain('Dringende Meldung');
      expect(mail.html).toContain('Rathaus · So., 29. März, 07:00');
      // The sanitised body is HTML on purpose.
      expect(mail.html).toContain('<p>Bitte <strong>Leitungswasser abkochen</strong>.</p>');
      expect(mail.html).toContain('href="https://allmende.example/t/ransbach-baumbach/g/rathaus/news/9"');
      expect(mail.text).toContain('Bitte Leitungswasser abkochen.');
      expect(mail.text).not.toContain('<strong>');
      expect(mail.text).toContain(
        'Keine Eilmeldungen mehr per E-Mail: https://allmende.example/unsubscribe/v1.alerts',
      );
      expect(mail.html).toContain('href="https://allmende.example/unsubscribe/v1.alerts"');
    });

    it('says "all clear" with the follow-up when resolved, in English', () => {
      const mail = renderer.renderAlert(
        alert('en', { phase: 'resolved', followUp: 'The water is safe again.', title: 'Water <b>pipe</b>' }),
      );
      expect(mail.subject).toBe('All clear: Water <b>pipe</b>');
      expect(mail.html).toContain('All clear');
      expect(mail.html).toContain('Water &lt;b&gt;pipe&lt;/b&gt;');
      expect(mail.html).toContain('The water is safe again.');
      expect(mail.text).toContain('Update:\nThe water is safe again.');
      expect(mail.html).toContain('<html lang="en"');
    });
  });

  describe('notice', () => {
    it('renders subject, sentence, details and the action in German', () => {
      const mail = renderer.renderNotice(notice('de'));
      expect(mail.subject).toBe('Erinnerung: Ihre Schicht „Aufbau“ am So., 29. März, 07:00');
      expect(mail.html).toContain(
        'Sie haben sich für die Schicht „Aufbau“ bei „Dorffest 2026“ eingetragen. Sie beginnt am So., 29. März, 07:00.',
      );
      expect(mail.html).toMatch(/<th scope="row"[^>]*>Wann<\/th>\s*<td[^>]*>So\., 29\. März, 07:00<\/td>/);
      expect(mail.html).toContain('>Festplatz</td>');
      expect(mail.html).toMatch(
        /<a href="https:\/\/allmende\.example\/t\/ransbach-baumbach\/g\/vereine\/volunteering\/4"[^>]*>Aufruf ansehen<\/a>/,
      );
      expect(mail.html).toContain('href="https://allmende.example/t/ransbach-baumbach/me/notifications"');
      // A notice is no list: nothing to unsubscribe from.
      expect(mail.html).not.toContain('Abbestellen');
      expect(mail.text).toContain('Wann: So., 29. März, 07:00');
      expect(mail.text).toContain(
        'Aufruf ansehen: https://allmende.example/t/ransbach-baumbach/g/vereine/volunteering/4',
      );
    });

    it.each([
      ['mail.notice.eventReminder', { event: 'Dorffest', startsAt: MORNING, location: 'Festplatz' }],
      [
        'mail.notice.bookingRequested',
        { resource: 'Grillhütte', requester: 'Bernd', from: MORNING, to: MORNING },
      ],
      [
        'mail.notice.bookingApproved',
        { resource: 'Grillhütte', from: MORNING, to: MORNING, message: 'Viel Spaß!' },
      ],
      ['mail.notice.bookingDeclined', { resource: 'Grillhütte', from: MORNING, to: MORNING, message: '' }],
      ['mail.notice.pollFinalised', { poll: 'Vereinsausflug', result: 'Sa., 2. Mai' }],
    ])('renders %s in both languages with every placeholder filled', (messageKey, params) => {
      for (const language of ['de', 'en'] as const) {
        const mail = renderer.renderNotice(notice(language, { messageKey, params, details: [] }));
        expect(`${mail.subject}\n${mail.text}`).not.toMatch(/\{\w+\}/);
        expect(mail.html).not.toContain(
          '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 8px 0;',
        );
      }
    });

    it('escapes values in the sentence', () => {
      const mail = renderer.renderNotice(
        notice('en', { params: { call: '<script>x</script>', shift: 'A & B', startsAt: MORNING } }),
      );
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain('&quot;A &amp; B&quot;');
      expect(mail.text).toContain('"A & B" of "<script>x</script>"');
      expect(mail.subject).toBe('Reminder: your shift "A & B" on Sun 29 Mar, 07:00');
    });

    it('throws when the message key is not in the catalogue', () => {
      expect(() => renderer.renderNotice(notice('de', { messageKey: 'mail.notice.unknown' }))).toThrow(
        'unknown key "mail.notice.unknown.subject"',
      );
    });
  });

  it('renders from memory: no file reads and no new date formatters once warm', () => {
    const warm = new MailRenderer();
    warm.renderDigest(digest('de'));
    const reads = jest.spyOn(fs, 'readFileSync');
    const formatters = jest.spyOn(Intl, 'DateTimeFormat');
    try {
      for (let i = 0; i < 20; i++) warm.renderDigest(digest('de'));
      expect(reads).not.toHaveBeenCalled();
      expect(formatters).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
      formatters.mockRestore();
    }
  });

  it('names listing kinds, and shows a kind it does not know as it is', () => {
    const sections = fullSections();
    sections.listings.push({ ...sections.listings[0]!, kind: 'swap', title: 'Tausche Rad' });
    const { text } = renderer.renderDigest(digest('en', { listings: sections.listings }));
    expect(text).toContain('* [Missing pet] Katze Minka vermisst');
    expect(text).toContain('* [swap] Tausche Rad');
  });

  it('offers every activity sentence the digest builders use, in both languages', () => {
    for (const key of [
      'bookingApproved',
      'bookingDeclined',
      'bookingCancelled',
      'pledgeCallClosed',
      'pledgeShiftChanged',
    ]) {
      for (const language of ['de', 'en'] as const) {
        const sections = fullSections();
        sections.activity[0]!.messageKey = `mail.digest.activity.${key}`;
        sections.activity[0]!.params = {
          resource: 'Grillhütte',
          from: MORNING,
          call: 'Dorffest',
          shift: 'Aufbau',
        };
        expect(renderer.renderDigest(digest(language, sections)).text).not.toMatch(/\{\w+\}/);
      }
    }
  });
});
