import { Injectable } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { Catalogue, type Locale } from '@allmende/i18n';
import { formatDate, formatDateClock, formatDateTime, formatTime, formatUntil } from './portal-dates';

/** templates/portal, from the sources (Jest) and from the compiled dist/libs/auth/src/portal. */
function portalDir(): string {
  const candidates = [
    join(__dirname, '../../../../templates/portal'),
    join(__dirname, '../../../../../templates/portal'),
  ];
  const dir = candidates.find((candidate) => existsSync(join(candidate, 'layout.hbs')));
  if (!dir) throw new Error(`templates/portal not found (looked in ${candidates.join(', ')})`);
  return dir;
}

/** The time zone when a page has no community (e.g. /me): the platform's home. */
const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/**
 * What the layout shows around a page: the community, navigation, who is signed in, the
 * language switch. Everything optional: pages outside a community (/me, /auth/…) show the
 * platform's name only.
 */
/** The community in the page's header: its name, and its stylesheet and logo when it has them. */
export interface PortalCommunity {
  slug: string;
  name: string;
  href: string;
  /** `/t/<slug>/theme.css?v=…`: the accent colour (layout.hbs links it after KERN). */
  themeHref?: string;
  /** `/t/<slug>/logo?v=…` */
  logoHref?: string;
}

export interface PortalLayout {
  community?: PortalCommunity;
  /** The community's groups the caller may read, for the navigation. */
  nav?: { key: string; name: string; href: string; current: boolean }[];
  /** Null: anonymous (the layout offers to sign in). */
  user?: { name: string } | null;
  signInHref?: string;
  /** For the sign-out form (every POST form carries the token). */
  csrfToken?: string;
  languages?: { code: Locale; label: string; href: string; current: boolean }[];
  /** Other communities of the caller (the switcher shows when there are any). */
  communities?: { slug: string; name: string; href: string; current: boolean }[];
  /** The community's admin area, for its tenant admins only. */
  admin?: { href: string };
}

/** A page to render: its template, title key, layout and the template's own data. */
export interface PortalPage {
  locale: Locale;
  /** A catalogue key for the <title>. */
  titleKey: string;
  /** Parameters of the title's text ({name} …). */
  titleParams?: Record<string, string>;
  /** IANA zone for {{date}}, {{dateTime}}, {{time}}: the tenant's. */
  timeZone?: string;
  layout?: PortalLayout;
  data?: Record<string, unknown>;
}

interface RootData {
  locale: Locale;
  timeZone?: string;
}

/**
 * Renders portal pages from templates/portal (Handlebars, escaped by default) inside the
 * layout, with the partials of templates/portal/partials, `{{t "key" name=value}}` from the
 * i18n catalogue in the caller's language, and `{{date}}`, `{{dateTime}}`, `{{time}}` in
 * the community's time zone.
 */
@Injectable()
export class PortalPages {
  private readonly handlebars = Handlebars.create();
  private readonly catalogue = Catalogue.load();
  private readonly pages = new Map<string, Handlebars.TemplateDelegate>();
  private readonly dir = portalDir();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor() {
    const catalogue = this.catalogue;
    const root = (options: Handlebars.HelperOptions) => (options.data as { root: RootData }).root;
    this.handlebars.registerHelper(
      't',
      function (this: unknown, key: string, options: Handlebars.HelperOptions) {
        return catalogue.t(root(options).locale, key, options.hash as Record<string, string>);
      },
    );
    const zoned =
      (format: (value: Date, locale: Locale, timeZone: string) => string) =>
      (value: unknown, options: Handlebars.HelperOptions) => {
        if (value === null || value === undefined || value === '') return '';
        const date = value instanceof Date ? value : new Date(String(value));
        if (Number.isNaN(date.getTime())) return '';
        const { locale, timeZone } = root(options);
        return format(date, locale, timeZone ?? DEFAULT_TIME_ZONE);
      };
    this.handlebars.registerHelper('date', zoned(formatDate));
    this.handlebars.registerHelper('dateTime', zoned(formatDateTime));
    this.handlebars.registerHelper('time', zoned(formatTime));
    this.handlebars.registerHelper('dateClock', zoned(formatDateClock));
    // {{until start end}}: a range's end, "22:00 Uhr" on the start's day, else day and time.
    this.handlebars.registerHelper(
      'until',
      (start: unknown, end: unknown, options: Handlebars.HelperOptions) => {
        const [from, to] = [start, end].map((value) =>
          value instanceof Date ? value : new Date(String(value ?? '')),
        );
        if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return '';
        const { locale, timeZone } = root(options);
        return formatUntil(from, to, locale, timeZone ?? DEFAULT_TIME_ZONE);
      },
    );
    // An ISO instant for <time datetime="…">, machine-readable beside the formatted text.
    this.handlebars.registerHelper('iso', (value: unknown) =>
      value instanceof Date ? value.toISOString() : String(value ?? ''),
    );
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.registerPartials();
    this.layout = this.compile('layout');
  }

  /** A page outside a community (account, sign-out, unsubscribe): the layout without community. */
  render(page: string, locale: Locale, context: Record<string, unknown>, title: string): string {
    return this.renderPage(page, { locale, titleKey: title, data: context });
  }

  /** A page with the full layout (community, navigation, sign-in state, language switch). */
  renderPage(page: string, view: PortalPage): string {
    const root: RootData = { locale: view.locale, timeZone: view.timeZone };
    const body = this.template(page)({ ...view.data, ...root });
    return this.layout({
      ...view.layout,
      ...root,
      title: this.catalogue.t(view.locale, view.titleKey, view.titleParams),
      body,
    });
  }

  /** A page's template alone, without the layout: the fragment an htmx request swaps in. */
  renderFragment(
    page: string,
    locale: Locale,
    timeZone: string | undefined,
    data: Record<string, unknown>,
  ): string {
    return this.template(page)({ ...data, locale, timeZone });
  }

  /** One catalogue text, for controllers that build view models (e.g. language names). */
  t(locale: Locale, key: string, params?: Record<string, string>): string {
    return this.catalogue.t(locale, key, params);
  }

  private template(page: string): Handlebars.TemplateDelegate {
    let template = this.pages.get(page);
    if (!template) {
      template = this.compile(page);
      this.pages.set(page, template);
    }
    return template;
  }

  private registerPartials(): void {
    const dir = join(this.dir, 'partials');
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.hbs'))) {
      this.handlebars.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
    }
  }

  private compile(name: string): Handlebars.TemplateDelegate {
    return this.handlebars.compile(readFileSync(join(this.dir, `${name}.hbs`), 'utf8'), { strict: false });
  }
}
