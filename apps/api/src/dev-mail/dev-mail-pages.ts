import type { CapturedMail } from '@allmende/local-services';

/**
 * The /dev/mail pages: plain HTML, no templates and no i18n (a developer tool, never shown
 * to members). Everything from a mail is escaped; a mail's HTML is only ever shown in a
 * sandboxed frame.
 */

/** The pages' own policy: no scripts at all; frames only from here (the mail's HTML route). */
export const DEV_MAIL_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'";

/**
 * The policy of a mail's HTML: a sandbox (an opaque origin, no scripts, no forms), images and
 * inline styles as mail clients show them; links may open in a new tab.
 */
export const DEV_MAIL_HTML_CSP =
  "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'";

/** The headers a page shows on top; the rest are listed below them. */
const HEADERS_FIRST = [
  'from',
  'to',
  'cc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'auto-submitted',
  'precedence',
  'list-id',
  'content-language',
];

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? character,
  );
}

const STYLE = `
  body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #222; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { white-space: nowrap; color: #555; font-weight: 600; }
  td.value { white-space: pre-wrap; word-break: break-all; font-family: ui-monospace, monospace; font-size: 12px; }
  pre { white-space: pre-wrap; background: #f6f6f6; padding: 1rem; border-radius: 4px; }
  iframe { width: 100%; height: 70vh; border: 1px solid #ccc; border-radius: 4px; }
  .muted { color: #777; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

/** The list of captured mails, newest first. */
export function mailListPage(mails: readonly CapturedMail[], dir: string): string {
  const rows = mails
    .map(
      (mail) => `<tr>
  <td>${escapeHtml(mail.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td>
  <td>${escapeHtml(mail.to.join(', ') || mail.envelope.to.join(', '))}</td>
  <td><a href="/dev/mail/${encodeURIComponent(mail.id)}">${escapeHtml(mail.subject ?? '(no subject)')}</a></td>
</tr>`,
    )
    .join('\n');
  const table = mails.length
    ? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="muted">No mails yet.</p>';
  return page(
    'Dev mail',
    `<h1>Dev mail (${mails.length})</h1>
<p class="muted">Mails the worker sent to the dev SMTP sink; kept in ${escapeHtml(dir)}, delivered nowhere.
As JSON: <a href="/dev/mail.json">/dev/mail.json</a></p>
${table}`,
  );
}

/** One mail: its headers, the plain text, and the HTML in a sandboxed frame. */
export function mailPage(mail: CapturedMail): string {
  const names = [
    ...HEADERS_FIRST.filter((name) => mail.headers[name] !== undefined),
    ...Object.keys(mail.headers)
      .filter((name) => !HEADERS_FIRST.includes(name))
      .sort(),
  ];
  const headers = names
    .map(
      (name) =>
        `<tr><th>${escapeHtml(name)}</th><td class="value">${escapeHtml(mail.headers[name]!)}</td></tr>`,
    )
    .join('\n');
  const id = encodeURIComponent(mail.id);
  const html = mail.html
    ? `<h2>HTML</h2><iframe sandbox="allow-popups allow-popups-to-escape-sandbox" src="/dev/mail/${id}/html" title="The mail's HTML"></iframe>`
    : '<h2>HTML</h2><p class="muted">This mail has no HTML part.</p>';
  const text = mail.text
    ? `<h2>Plain text</h2><pre>${escapeHtml(mail.text)}</pre>`
    : '<h2>Plain text</h2><p class="muted">This mail has no plain-text part.</p>';
  const attachments = mail.attachments.length
    ? `<h2>Attachments</h2><ul>${mail.attachments
        .map(
          (attachment) =>
            `<li>${escapeHtml(attachment.filename ?? '(unnamed)')} — ${escapeHtml(attachment.contentType)}, ${attachment.size} bytes</li>`,
        )
        .join('')}</ul>`
    : '';
  return page(
    mail.subject ?? '(no subject)',
    `<p><a href="/dev/mail">← all mails</a> · <a href="/dev/mail/${id}/source">source (.eml)</a></p>
<h1>${escapeHtml(mail.subject ?? '(no subject)')}</h1>
<table>
<tr><th>envelope</th><td class="value">${escapeHtml(`${mail.envelope.from ?? '<>'} → ${mail.envelope.to.join(', ')}`)}</td></tr>
<tr><th>received</th><td class="value">${escapeHtml(mail.receivedAt)}</td></tr>
${headers}
</table>
${html}
${text}
${attachments}`,
  );
}
