import { createTransport } from 'nodemailer';
import type { RenderedMail } from './mail-models';

/** One mail ready for SMTP. */
export interface OutgoingMail extends RenderedMail {
  to: { name: string; address: string };
  /** `<…@domain>`: deterministic per delivery, so a repeated hand-off is recognisably the same mail. */
  messageId: string;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post, List-Id, Auto-Submitted …). */
  headers: Record<string, string>;
}

/**
 * SMTP said no. `temporary` (4xx replies, connection trouble, time-outs) is worth retrying
 * with backoff; otherwise (5xx: unknown mailbox, rejected content) retrying cannot help.
 */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly temporary: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'MailSendError';
  }
}

const TEMPORARY_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EMAXLIMIT',
]);

/** Classifies a nodemailer error: SMTP reply code first, then the connection error codes. */
export function toMailSendError(error: unknown): MailSendError {
  const { responseCode, code, message } = error as { responseCode?: number; code?: string; message?: string };
  const text = message ?? String(error);
  if (typeof responseCode === 'number') return new MailSendError(text, responseCode < 500, responseCode);
  // Unknown failures without an SMTP verdict are treated as temporary: the job's attempts are finite.
  return new MailSendError(text, code === undefined || TEMPORARY_CODES.has(code));
}

export interface MailerOptions {
  smtpUrl: string;
  /** `Name <address>`: the From of every mail. */
  from: string;
  /** Pooled SMTP connections kept open. */
  maxConnections?: number;
}

/**
 * Hands mails to SMTP (nodemailer, pooled connections). `smtp://user:pass@host:port` or
 * `smtps://…` (implicit TLS); plain smtp:// upgrades with STARTTLS when the server offers it.
 */
export class Mailer {
  private readonly transport;
  readonly from: string;

  constructor(options: MailerOptions) {
    const url = new URL(options.smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.from = options.from;
    this.transport = createTransport({
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
  }

  /** Resolves when the server accepted the mail (250 after DATA); throws MailSendError otherwise. */
  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: { name: mail.to.name, address: mail.to.address },
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: mail.messageId,
        headers: mail.headers,
      });
    } catch (error) {
      throw toMailSendError(error);
    }
  }

  /** Ends the pooled connections (Nest calls it when the app shuts down). */
  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/** The domain of the From address, for Message-IDs. */
export function senderDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.split('@')[1]?.trim() || 'localhost';
}
