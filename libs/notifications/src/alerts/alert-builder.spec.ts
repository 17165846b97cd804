import { alertPeriodKey, alertPhaseOf } from './alert-builder';
import { markdownToText } from './markdown-text';

const POST = '5f0c3c1e-1111-4222-8333-444455556666';

describe('alertPhaseOf', () => {
  it('takes urgent published posts as alerts from their publishAt', () => {
    expect(
      alertPhaseOf('news.post.published', {
        postId: POST,
        urgency: 'urgent',
        publishAt: '2026-11-26T08:00:00.000Z',
      }),
    ).toEqual({ postId: POST, phase: 'published', notBefore: new Date('2026-11-26T08:00:00.000Z') });
  });

  it('ignores posts that are not urgent and topics that are not alerts', () => {
    expect(alertPhaseOf('news.post.published', { postId: POST, urgency: 'important' })).toBeNull();
    expect(alertPhaseOf('listings.listing.created', { postId: POST, urgency: 'urgent' })).toBeNull();
    expect(alertPhaseOf('news.post.published', { urgency: 'urgent' })).toBeNull();
  });

  it('takes a resolution as the all-clear', () => {
    expect(
      alertPhaseOf('news.alert.resolved', { postId: POST, resolvedAt: '2026-11-26T08:00:00.000Z' }),
    ).toEqual({
      postId: POST,
      phase: 'resolved',
    });
  });
});

describe('alertPeriodKey', () => {
  it('has one key per post and phase', () => {
    expect(alertPeriodKey(POST, 'published')).toBe(`alert.${POST}`);
    expect(alertPeriodKey(POST, 'resolved')).toBe(`alert.${POST}.resolved`);
  });
});

describe('markdownToText', () => {
  it('keeps words, lines and link targets, drops markup', () => {
    expect(markdownToText('# Achtung\n\n- **eins**\n- [zwei](https://example.org/2)\n\nA & B < C')).toBe(
      'Achtung\n- eins\n- zwei (https://example.org/2)\n\nA & B < C',
    );
  });
});

describe('markdownToText line breaks', () => {
  it('keeps a single line break as one', () => {
    expect(markdownToText('Straße gesperrt\nbis Freitag')).toBe('Straße gesperrt\nbis Freitag');
  });
});
