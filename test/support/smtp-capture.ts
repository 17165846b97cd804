import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** A mail the test server accepted (it answered 250): parsed, with its raw headers. */
export interface AcceptedMail {
  to: string;
  subject: string;
  messageId: string;
  html: string;
  text: string;
  headers: Map<string, string>;
  parsed: ParsedMail;
}

export interface SmtpCapture {
  url: string;
  /** Every accepted mail, in order of acceptance. */
  mails: AcceptedMail[];
  /** From now on, hold every incoming mail without answering (as a stuck server would). */
  hold(): void;
  /** Answer again (mails held so far stay unanswered: their senders are gone). */
  release(): void;
  /** Refuse the next mails with this SMTP reply (e.g. 451 temporary, 550 permanent) until cleared. */
  refuse(code: number | null): void;
  /** How many mails were refused so far. */
  refusals(): number;
  /** When each mail was accepted (ms since epoch), in order. */
  acceptedAt: number[];
  /** Resolves once `count` mails were accepted (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<AcceptedMail[]>;
  /** Runs `fn` each time a mail was accepted (with the number accepted so far). */
  onAccepted(fn: (count: number) => void): void;
  stop(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) inside the test process. A mail counts as delivered only
 * when the server answered 250 — exactly what a sender can rely on — so a mail held or
 * refused is not in `mails`.
 */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: AcceptedMail[] = [];
  const listeners: ((count: number) => void)[] = [];
  let holding = false;
  let refusal: number | null = null;
  let refused = 0;
  const acceptedAt: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (holding) return; // never answers: the sender waits until it gives up or dies
        if (refusal !== null) {
          const error = Object.assign(new Error(`refused by the test server (${refusal})`), {
            responseCode: refusal,
          });
          refused++;
          callback(error);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            const headers = new Map<string, string>();
            for (const line of parsed.headerLines)
              headers.set(line.key, line.line.slice(line.line.indexOf(':') + 1).trim());
            mails.push({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','),
              subject: parsed.subject ?? '',
              messageId: parsed.messageId ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              text: parsed.text ?? '',
              headers,
              parsed,
            });
            acceptedAt.push(Date.now());
            for (const listener of listeners) listener(mails.length);
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    hold: () => (holding = true),
    release: () => (holding = false),
    refuse: (code) => (refusal = code),
    refusals: () => refused,
    acceptedAt,
    onAccepted: (fn) => listeners.push(fn),
    waitFor: async (count, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} mails, the SMTP server accepted ${mails.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return mails;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
