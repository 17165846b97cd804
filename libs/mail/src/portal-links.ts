/**
 * The portal's URLs, in one place: mails link into the portal, and the portal (issue 8)
 * serves exactly these paths. A community's pages live under `/t/<slug>` (as the portal's routes) so that no
 * tenant slug can collide with the platform's own paths (/api, /auth, /me, /health …).
 */
export class PortalLinks {
  private readonly base: string;

  constructor(publicUrl: string) {
    this.base = publicUrl.replace(/\/+$/, '');
  }

  community(slug: string): string {
    return `${this.base}/t/${encodeURIComponent(slug)}`;
  }

  group(slug: string, groupKey: string): string {
    return `${this.community(slug)}/g/${encodeURIComponent(groupKey)}`;
  }

  newsPost(slug: string, groupKey: string, postId: string): string {
    return `${this.group(slug, groupKey)}/news/${postId}`;
  }

  listing(slug: string, groupKey: string, listingId: string): string {
    return `${this.group(slug, groupKey)}/listings/${listingId}`;
  }

  call(slug: string, groupKey: string, callId: string): string {
    return `${this.group(slug, groupKey)}/volunteering/${callId}`;
  }

  event(slug: string, groupKey: string, eventId: string): string {
    return `${this.group(slug, groupKey)}/events/${eventId}`;
  }

  thread(slug: string, groupKey: string, threadId: string): string {
    return `${this.group(slug, groupKey)}/discussions/${threadId}`;
  }

  poll(slug: string, groupKey: string, pollId: string): string {
    return `${this.group(slug, groupKey)}/polls/${pollId}`;
  }

  bookingRequest(slug: string, groupKey: string, requestId: string): string {
    return `${this.group(slug, groupKey)}/booking/requests/${requestId}`;
  }

  /** The member's notification settings in this community. */
  preferences(slug: string): string {
    return `${this.community(slug)}/me/notifications`;
  }

  /** The unsubscribe page (GET: confirm; POST: one click, RFC 8058). Not tenant-prefixed: the token names the tenant. */
  unsubscribe(token: string): string {
    return `${this.base}/unsubscribe/${token}`;
  }
}
