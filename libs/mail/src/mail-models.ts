/**
 * What the mail templates render: plain data, built by the digest builder and the notice
 * builders (libs/notifications), rendered by MailRenderer. Dates are Date objects; the
 * renderer formats them in the recipient's time zone and language. Every URL is absolute.
 */
export type MailLanguage = 'de' | 'en';

export interface MailRecipient {
  memberId: string;
  /** Given and family name as the member list has them (may be empty). */
  name: string;
  email: string;
  language: MailLanguage;
  /** IANA zone the recipient's times are shown in (their own, else the community's). */
  timeZone: string;
}

export interface MailCommunity {
  id: string;
  slug: string;
  name: string;
  /** The community's start page in the portal. */
  portalUrl: string;
}

export interface DigestNewsItem {
  title: string;
  /** A plain-text excerpt of the post (no markup), at most ~200 characters. */
  excerpt: string;
  groupName: string;
  urgency: 'normal' | 'important' | 'urgent';
  pinned: boolean;
  publishedAt: Date;
  url: string;
}

export interface DigestListingItem {
  title: string;
  /** lost | found | offer | request … as the listings module names it. */
  kind: string;
  groupName: string;
  createdAt: Date;
  url: string;
}

export interface DigestCallItem {
  title: string;
  groupName: string;
  /** Shifts that still need people, and what is missing of each. */
  openShifts: { label: string; startsAt: Date; missing: number }[];
  /** Items still needed (e.g. "Kuchen": 3 missing). */
  openItems: { label: string; missing: number }[];
  url: string;
}

export interface DigestEventItem {
  title: string;
  groupName: string;
  startsAt: Date;
  endsAt: Date | null;
  location: string | null;
  /** The recipient's own answer, if any. */
  myAnswer: 'yes' | 'maybe' | 'no' | null;
  url: string;
}

/** A change to something of the recipient's own: a booking request decided, a pledge's call closed … */
export interface DigestActivityItem {
  /** i18n key of the sentence, e.g. `mail.digest.activity.booking.approved`. */
  messageKey: string;
  /** Values the sentence names ({resource}, {from}, {call} …); Dates are formatted by the renderer. */
  params: Record<string, string | number | Date>;
  at: Date;
  url: string;
}

export interface DigestThreadItem {
  title: string;
  groupName: string;
  authorName: string;
  createdAt: Date;
  url: string;
}

export interface DigestSections {
  /** Urgent and pinned news, first in the mail. */
  urgent: DigestNewsItem[];
  news: DigestNewsItem[];
  listings: DigestListingItem[];
  calls: DigestCallItem[];
  /** Events of the next 7 days (from the digest's end). */
  events: DigestEventItem[];
  /** Changes to the recipient's booking requests and pledges. */
  activity: DigestActivityItem[];
  threads: DigestThreadItem[];
}

export interface DigestModel {
  community: MailCommunity;
  recipient: MailRecipient;
  frequency: 'daily' | 'weekly';
  /** The window of new things: [since, until). */
  since: Date;
  until: Date;
  sections: DigestSections;
  preferencesUrl: string;
  /** Set by the delivery (it signs the token); the visible link of the mail. */
  unsubscribeUrl: string;
}

/** An urgent news post (or its resolution) sent at once. */
export interface AlertModel {
  community: MailCommunity;
  recipient: MailRecipient;
  /** `published`: the alert; `resolved`: the all-clear follow-up. */
  phase: 'published' | 'resolved';
  title: string;
  /** The post's body as plain text / sanitised HTML (news posts are Markdown, rendered by libs/content). */
  bodyText: string;
  bodyHtml: string;
  /** The follow-up text of a resolved alert (may be null). */
  followUp: string | null;
  groupName: string;
  publishedAt: Date;
  url: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
}

/** A one-off notice (reminders, booking requests and decisions, poll results): one sentence, details, one link. */
export interface NoticeModel {
  community: MailCommunity;
  recipient: MailRecipient;
  /** i18n key prefix, e.g. `mail.notice.shiftReminder`: `.subject`, `.intro` (and `.action`) are looked up under it. */
  messageKey: string;
  /** Values of the sentences ({call}, {shift}, {resource}, {from}, {poll} …). */
  params: Record<string, string | number | Date>;
  /** Label/value lines shown under the sentence (already in the recipient's language). */
  details: { label: string; value: string | Date }[];
  url: string;
  preferencesUrl: string;
}

/** What a renderer returns: ready for nodemailer. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}
