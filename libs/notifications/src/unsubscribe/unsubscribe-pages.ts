import { Injectable } from '@nestjs/common';
import type { Locale } from '@allmende/i18n';
import { PortalPages } from '@allmende/auth';
import type { UnsubscribeOutcome } from './unsubscribe.service';

/** An answer page: its HTTP status and HTML. */
export interface UnsubscribePage {
  status: number;
  html: string;
}

/** The pages of the unsubscribe flow (templates/portal/unsubscribe*.hbs), in the member's language. */
@Injectable()
export class UnsubscribePages {
  constructor(private readonly pages: PortalPages) {}

  /** GET: what the link switches off, and the button that does it. */
  confirmation(outcome: UnsubscribeOutcome, token: string, fallback: Locale): UnsubscribePage {
    if (outcome.kind !== 'found') return this.problem(outcome, fallback);
    const digest = outcome.list === 'digest';
    return {
      status: 200,
      html: this.pages.render(
        'unsubscribe',
        outcome.language,
        {
          question: digest ? 'unsubscribe.confirmDigest' : 'unsubscribe.confirmAlerts',
          explanation: digest ? 'unsubscribe.explainDigest' : 'unsubscribe.explainAlerts',
          community: outcome.community.name,
          action: `/unsubscribe/${encodeURIComponent(token)}`,
          preferencesUrl: outcome.preferencesUrl,
        },
        'unsubscribe.title',
      ),
    };
  }

  /** POST: done (also when it was done before). */
  result(outcome: UnsubscribeOutcome, fallback: Locale): UnsubscribePage {
    if (outcome.kind !== 'found') return this.problem(outcome, fallback);
    return {
      status: 200,
      html: this.pages.render(
        'unsubscribed',
        outcome.language,
        {
          message: outcome.list === 'digest' ? 'unsubscribe.doneDigest' : 'unsubscribe.doneAlerts',
          community: outcome.community.name,
          preferencesUrl: outcome.preferencesUrl,
        },
        'unsubscribe.doneTitle',
      ),
    };
  }

  private problem(
    outcome: Exclude<UnsubscribeOutcome, { kind: 'found' }>,
    fallback: Locale,
  ): UnsubscribePage {
    const [status, key] = {
      invalid: [400, 'invalid'],
      'unknown-member': [404, 'notFound'],
      unavailable: [503, 'unavailable'],
    }[outcome.kind] as [number, string];
    const language = (outcome.kind === 'unknown-member' && outcome.language) || fallback;
    return {
      status,
      html: this.pages.render(
        'unsubscribe-problem',
        language,
        { title: `unsubscribe.${key}Title`, message: `unsubscribe.${key}` },
        `unsubscribe.${key}Title`,
      ),
    };
  }
}
