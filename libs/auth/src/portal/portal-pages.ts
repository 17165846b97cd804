import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { Catalogue, type Locale } from '@allmende/i18n';

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

/**
 * Renders portal pages from templates/portal (Handlebars, escaped by default) inside the
 * layout, with `{{t "key" name=value}}` from the i18n catalogue in the caller's language.
 * The full portal (issue: the tenant web portal) builds on this.
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
    this.handlebars.registerHelper(
      't',
      function (this: unknown, key: string, options: Handlebars.HelperOptions) {
        const locale = (options.data as { root: { locale: Locale } }).root.locale;
        return catalogue.t(locale, key, options.hash as Record<string, string>);
      },
    );
    this.layout = this.compile('layout');
  }

  render(page: string, locale: Locale, context: Record<string, unknown>, title: string): string {
    let template = this.pages.get(page);
    if (!template) {
      template = this.compile(page);
      this.pages.set(page, template);
    }
    const body = template({ ...context, locale });
    return this.layout({ locale, title: this.catalogue.t(locale, title), body });
  }

  private compile(name: string): Handlebars.TemplateDelegate {
    return this.handlebars.compile(readFileSync(join(this.dir, `${name}.hbs`), 'utf8'), { strict: false });
  }
}
