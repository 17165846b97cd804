import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { Catalogue } from '@allmende/i18n';
import type {
  AlertModel,
  DigestModel,
  DigestNewsItem,
  MailCommunity,
  MailLanguage,
  MailRecipient,
  NoticeModel,
  RenderedMail,
} from './mail-models';

/** templates/mail, from the sources (Jest) and from the compiled dist/libs/mail/src. */
function mailTemplatesDir(): string {
  const candidates = [
    join(__dirname, '../../../templates/mail'),
    join(__dirname, '../../../../templates/mail'),
  ];
  const dir = candidates.find((candidate) => existsSync(join(candidate, 'layout.html.hbs')));
  if (!dir) throw new Error(`templates/mail not found (looked in ${candidates.join(', ')})`);
  return dir;
}

type Params = Record<string, string | number | Date>;
type Template = Handlebars.TemplateDelegate;

/** One entry of a digest section, as both templates show it. */
interface ItemView {
  title: string;
  url: string;
  /** Group, time and the like, in one muted line. */
  meta?: string;
  text?: string;
  lines?: string[];
  badge?: string;
  /** Badge colours: red for urgent, grey for a mere kind (lost, found …), else amber. */
  badgeUrgent?: boolean;
  badgeNeutral?: boolean;
}

interface SectionView {
  key: string;
  heading: string;
  items: ItemView[];
}

/** What the layouts frame a body with. */
interface Frame {
  language: MailLanguage;
  subject: string;
  preheader: string;
  community: MailCommunity;
  footerReason: string;
  preferencesUrl: string;
  unsubscribeUrl?: string;
  unsubscribeText?: string;
}

const TEXT_RULE = '—'.repeat(40);
const LISTING_KINDS = new Set(['lost', 'found', 'missing_pet', 'offer', 'request']);

/**
 * Renders digests, alerts and notices from templates/mail: HTML (table layout, inline styles,
 * for Gmail, Outlook and Apple Mail alike) with a plain-text twin, in the recipient's
 * language and time zone. Templates are compiled once and date formatters are cached, so a
 * render is string work only (the digest benchmark renders 10,000 of them).
 *
 * Everything the templates show is prepared here as plain strings (sentences from the i18n
 * catalogue, dates formatted); the templates only arrange it. HTML escapes every value;
 * the one exception is an alert's `bodyHtml`, sanitised by libs/content.
 */
@Injectable()
export class MailRenderer {
  private readonly catalogue = Catalogue.load();
  private readonly html = Handlebars.create();
  private readonly text = Handlebars.create();
  private readonly templates: Record<
    'layout' | 'digest' | 'alert' | 'notice',
    { html: Template; text: Template }
  >;
  private readonly formatters = new Map<string, Intl.DateTimeFormat>();
  private readonly digestBodies = new Map<string, DigestBody>();

  constructor() {
    const catalogue = this.catalogue;
    const dir = mailTemplatesDir();
    const language = (options: Handlebars.HelperOptions) =>
      (options.data as { root: { language: MailLanguage } }).root.language;
    for (const instance of [this.html, this.text]) {
      instance.registerHelper('t', (key: string, options: Handlebars.HelperOptions) =>
        catalogue.t(language(options), key, options.hash as Record<string, string>),
      );
    }
    this.text.registerHelper('upper', (value: string) => value.toLocaleUpperCase());
    const partials = join(dir, 'partials');
    for (const file of readdirSync(partials).filter((name) => name.endsWith('.hbs'))) {
      this.html.registerPartial(basename(file, '.hbs'), readFileSync(join(partials, file), 'utf8'));
    }
    const load = (name: string) => ({
      html: this.html.compile(readFileSync(join(dir, `${name}.html.hbs`), 'utf8')),
      // Plain text is not HTML: nothing to escape, and entities would show as "&amp;".
      text: this.text.compile(readFileSync(join(dir, `${name}.text.hbs`), 'utf8'), { noEscape: true }),
    });
    this.templates = {
      layout: load('layout'),
      digest: load('digest'),
      alert: load('alert'),
      notice: load('notice'),
    };
  }

  renderDigest(model: DigestModel): RenderedMail {
    const { recipient, community } = model;
    const t = (key: string, params?: Params) => this.t(recipient, key, params);
    const body = this.digestBody(model);
    const greeting = this.greeting(recipient);
    const frequency = t(
      model.frequency === 'weekly' ? 'mail.digest.frequencyWeekly' : 'mail.digest.frequencyDaily',
    );
    return this.frameRendered(
      {
        html: body.html.replace(GREETING_MARK, Handlebars.escapeExpression(greeting)),
        text: body.text.replace(GREETING_MARK, greeting),
      },
      {
        language: recipient.language,
        subject: body.subject,
        preheader: body.preheader,
        community,
        footerReason: t('mail.common.footerDigest', { community: community.name, frequency }),
        preferencesUrl: model.preferencesUrl,
        unsubscribeUrl: model.unsubscribeUrl,
        unsubscribeText: t('mail.common.unsubscribeDigest', { url: model.unsubscribeUrl }),
      },
    );
  }

  /**
   * The digest's body (everything but the greeting, which is filled in per member). Members of
   * a community with the same language, time zone and sections get the same body: it is
   * rendered once and kept in a small cache (digests of one run share most of their content).
   */
  private digestBody(model: DigestModel): DigestBody {
    const { recipient, community } = model;
    const key = [
      recipient.language,
      recipient.timeZone,
      model.frequency,
      community.id,
      community.name,
      community.portalUrl,
      model.since.toISOString(),
      model.until.toISOString(),
      JSON.stringify(model.sections),
    ].join('\n');
    const cached = this.digestBodies.get(key);
    if (cached) return cached;
    const t = (key: string, params?: Params) => this.t(recipient, key, params);
    const date = this.format(recipient, 'date', model.until);
    const subject = t(
      model.frequency === 'weekly' ? 'mail.digest.subjectWeekly' : 'mail.digest.subjectDaily',
      {
        community: community.name,
        date,
      },
    );
    const sections = this.digestSections(model);
    const view = {
      language: recipient.language,
      heading: subject,
      greeting: GREETING_MARK,
      intro: t('mail.digest.intro', { community: community.name, since: model.since }),
      sections,
      portalUrl: community.portalUrl,
      openPortal: t('mail.common.openPortal', { community: community.name }),
    };
    const body: DigestBody = {
      subject,
      preheader: sections.map((section) => section.heading).join(' · '),
      html: this.templates.digest.html(view),
      text: this.templates.digest.text(view).trim(),
    };
    if (this.digestBodies.size >= DIGEST_BODY_CACHE)
      this.digestBodies.delete(this.digestBodies.keys().next().value!);
    this.digestBodies.set(key, body);
    return body;
  }

  renderAlert(model: AlertModel): RenderedMail {
    const { recipient, community } = model;
    const t = (key: string, params?: Params) => this.t(recipient, key, params);
    const resolved = model.phase === 'resolved';
    const subject = t(resolved ? 'mail.alert.subjectResolved' : 'mail.alert.subjectPublished', {
      title: model.title,
    });
    const view = {
      language: recipient.language,
      resolved,
      label: t(resolved ? 'mail.alert.labelResolved' : 'mail.alert.labelPublished'),
      title: model.title,
      meta: t('mail.alert.meta', { group: model.groupName, time: model.publishedAt }),
      followUp: model.followUp,
      followUpLabel: t('mail.alert.followUp'),
      bodyHtml: model.bodyHtml,
      bodyText: model.bodyText,
      url: model.url,
      open: t('mail.alert.open'),
    };
    return this.frame(this.templates.alert, view, {
      language: recipient.language,
      subject,
      preheader: model.followUp ?? model.bodyText.slice(0, 120),
      community,
      footerReason: t('mail.common.footerAlert', { community: community.name }),
      preferencesUrl: model.preferencesUrl,
      unsubscribeUrl: model.unsubscribeUrl,
      unsubscribeText: t('mail.common.unsubscribeAlerts', { url: model.unsubscribeUrl }),
    });
  }

  renderNotice(model: NoticeModel): RenderedMail {
    const { recipient, community } = model;
    const t = (key: string, params?: Params) => this.t(recipient, key, params);
    const subject = t(`${model.messageKey}.subject`, model.params);
    const intro = t(`${model.messageKey}.intro`, model.params);
    const view = {
      language: recipient.language,
      subject,
      greeting: this.greeting(recipient),
      intro,
      details: model.details.map((detail) => ({
        label: detail.label,
        value: detail.value instanceof Date ? this.format(recipient, 'dateTime', detail.value) : detail.value,
      })),
      url: model.url,
      action: t(`${model.messageKey}.action`, model.params),
    };
    return this.frame(this.templates.notice, view, {
      language: recipient.language,
      subject,
      preheader: intro,
      community,
      footerReason: t('mail.common.footerNotice', { community: community.name }),
      preferencesUrl: model.preferencesUrl,
    });
  }

  /** The digest's sections in their fixed order; empty ones are left out entirely. */
  private digestSections(model: DigestModel): SectionView[] {
    const { recipient, sections } = model;
    const t = (key: string, params?: Params) => this.t(recipient, key, params);
    const when = (value: Date) => this.format(recipient, 'dateTime', value);
    const meta = (...parts: (string | null | undefined)[]) => parts.filter(Boolean).join(' · ');
    const news = (item: DigestNewsItem): ItemView => {
      const badge =
        item.urgency !== 'normal'
          ? t(`mail.digest.urgency.${item.urgency}`)
          : item.pinned
            ? t('mail.digest.urgency.pinned')
            : undefined;
      return {
        title: item.title,
        url: item.url,
        meta: meta(item.groupName, when(item.publishedAt)),
        text: item.excerpt || undefined,
        badge,
        badgeUrgent: item.urgency === 'urgent',
      };
    };
    const all: SectionView[] = [
      { key: 'urgent', heading: t('mail.digest.sections.urgent'), items: sections.urgent.map(news) },
      { key: 'news', heading: t('mail.digest.sections.news'), items: sections.news.map(news) },
      {
        key: 'listings',
        heading: t('mail.digest.sections.listings'),
        items: sections.listings.map((item) => ({
          title: item.title,
          url: item.url,
          meta: meta(item.groupName, when(item.createdAt)),
          // A kind this renderer does not know yet shows as it is rather than failing the digest.
          badge: LISTING_KINDS.has(item.kind) ? t(`mail.digest.listingKind.${item.kind}`) : item.kind,
          badgeNeutral: true,
        })),
      },
      {
        key: 'calls',
        heading: t('mail.digest.sections.calls'),
        items: sections.calls.map((item) => ({
          title: item.title,
          url: item.url,
          meta: item.groupName,
          lines: [
            ...item.openShifts.map(
              (shift) =>
                `${shift.label} (${when(shift.startsAt)}): ${t('mail.digest.missing', { count: shift.missing })}`,
            ),
            ...item.openItems.map(
              (entry) => `${entry.label}: ${t('mail.digest.missingItem', { count: entry.missing })}`,
            ),
          ],
        })),
      },
      {
        key: 'events',
        heading: t('mail.digest.sections.events'),
        items: sections.events.map((item) => ({
          title: item.title,
          url: item.url,
          meta: meta(this.period(recipient, item.startsAt, item.endsAt), item.location, item.groupName),
          text: t('mail.digest.yourAnswer', { answer: t(`mail.digest.answer.${item.myAnswer ?? 'none'}`) }),
        })),
      },
      {
        key: 'activity',
        heading: t('mail.digest.sections.activity'),
        items: sections.activity.map((item) => ({
          title: t(item.messageKey, item.params),
          url: item.url,
          meta: when(item.at),
        })),
      },
      {
        key: 'threads',
        heading: t('mail.digest.sections.threads'),
        items: sections.threads.map((item) => ({
          title: item.title,
          url: item.url,
          meta: meta(
            item.groupName,
            t('mail.digest.byAuthor', { author: item.authorName }),
            when(item.createdAt),
          ),
        })),
      },
    ];
    return all.filter((section) => section.items.length > 0);
  }

  /** Renders a body and puts it into the layout, HTML and text alike. */
  private frame(template: { html: Template; text: Template }, view: object, frame: Frame): RenderedMail {
    return this.frameRendered({ html: template.html(view), text: template.text(view).trim() }, frame);
  }

  /** Puts a rendered body into the layout. */
  private frameRendered(body: { html: string; text: string }, frame: Frame): RenderedMail {
    const layout = {
      language: frame.language,
      subject: frame.subject,
      preheader: frame.preheader,
      communityName: frame.community.name,
      portalUrl: frame.community.portalUrl,
      footerReason: frame.footerReason,
      preferencesUrl: frame.preferencesUrl,
      unsubscribeUrl: frame.unsubscribeUrl,
      unsubscribeText: frame.unsubscribeText,
      rule: TEXT_RULE,
    };
    return {
      subject: frame.subject,
      html: this.templates.layout.html({ ...layout, body: body.html }),
      text: tidy(this.templates.layout.text({ ...layout, body: body.text })),
    };
  }

  private greeting(recipient: MailRecipient): string {
    return recipient.name
      ? this.t(recipient, 'mail.common.greeting', { name: recipient.name })
      : this.t(recipient, 'mail.common.greetingAnonymous');
  }

  /** A catalogue sentence; Date params are formatted in the recipient's zone and language first. */
  private t(recipient: MailRecipient, key: string, params: Params = {}): string {
    const formatted: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(params)) {
      formatted[name] = value instanceof Date ? this.format(recipient, 'dateTime', value) : value;
    }
    return this.catalogue.t(recipient.language, key, formatted);
  }

  /** "Mi., 25. Nov., 19:00 – 22:00" (same day) or both ends in full. */
  private period(recipient: MailRecipient, start: Date, end: Date | null): string {
    const from = this.format(recipient, 'dateTime', start);
    if (!end) return from;
    const sameDay = this.format(recipient, 'date', start) === this.format(recipient, 'date', end);
    return `${from} – ${this.format(recipient, sameDay ? 'time' : 'dateTime', end)}`;
  }

  /** Formats with a cached Intl formatter per language, zone and style (creating one is slow). */
  private format(recipient: MailRecipient, style: 'dateTime' | 'date' | 'time', value: Date): string {
    const key = `${recipient.language}|${recipient.timeZone}|${style}`;
    let formatter = this.formatters.get(key);
    if (!formatter) {
      formatter = new Intl.DateTimeFormat(recipient.language === 'de' ? 'de-DE' : 'en-GB', {
        timeZone: recipient.timeZone,
        ...(style !== 'time' && { weekday: 'short', day: 'numeric', month: 'short' }),
        ...(style !== 'date' && { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      });
      this.formatters.set(key, formatter);
    }
    return formatter.format(value);
  }
}

/** Stands for the greeting in a cached digest body (a control character no text contains). */
const GREETING_MARK = '\u0001greeting\u0001';
/** Digest bodies kept: a run goes through a community's members one after the other. */
const DIGEST_BODY_CACHE = 256;

interface DigestBody {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/** Plain text: no trailing spaces, at most one empty line in a row. */
function tidy(text: string): string {
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
