import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** Larger mails are refused (552), as a real relay would; ours are far smaller. */
export const DEV_MAIL_MAX_BYTES = 10 * 1024 * 1024;

/** A captured mail's id: its file name without extension, `<UTC timestamp>-<random>` (sorts by time). */
const MAIL_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

export interface DevMailSinkOptions {
  /** Where mails are kept (created if missing): `<id>.eml` (raw) and `<id>.json` (parsed). */
  dir: string;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
}

export interface DevMailSink {
  /** For SMTP_URL: `smtp://127.0.0.1:<port>`. */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** A captured mail as its `.json` file holds it. */
export interface CapturedMail {
  id: string;
  /** When the sink received it (ISO). */
  receivedAt: string;
  /** The SMTP envelope: who the sender handed it to (Bcc included), which the headers may not show. */
  envelope: { from: string | null; to: string[] };
  from: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  /** The Date header (ISO). */
  date: string | null;
  messageId: string | null;
  /** Every header, lower-case name → unfolded value (repeated headers joined by a line break). */
  headers: Record<string, string>;
  html: string | null;
  text: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
}

/**
 * A local SMTP server for development that delivers nowhere: every mail is kept in `dir`, for
 * /dev/mail and for tests. No authentication and no TLS, so it listens on 127.0.0.1 only.
 */
export async function startDevMailSink(options: DevMailSinkOptions): Promise<DevMailSink> {
  const { dir } = options;
  await mkdir(dir, { recursive: true });
  const server = new SMTPServer({
    name: 'allmende-dev-mail',
    banner: 'Allmende dev mail sink: mails are kept, never delivered',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    size: DEV_MAIL_MAX_BYTES,
    logger: false,
    onData(stream, session, callback) {
      capture(dir, stream, session).then(
        () => callback(),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      const address = server.server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('the dev mail sink has no port'));
    });
  });
  // A client's broken connection must not end the dev run.
  server.on('error', () => undefined);
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function capture(dir: string, stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded) {
    throw Object.assign(new Error(`message exceeds ${DEV_MAIL_MAX_BYTES} bytes`), { responseCode: 552 });
  }
  const raw = Buffer.concat(chunks);
  const receivedAt = new Date();
  const id = `${receivedAt.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
  const parsed = await simpleParser(raw);
  const mail = describe(id, receivedAt, parsed, session);
  await writeFile(join(dir, `${id}.eml`), raw);
  // The .json last and in one step: a listing never sees a half-written mail.
  const partial = join(dir, `${id}.json.partial`);
  await writeFile(partial, JSON.stringify(mail, null, 2));
  await rename(partial, join(dir, `${id}.json`));
}

function describe(
  id: string,
  receivedAt: Date,
  parsed: ParsedMail,
  session: SMTPServerSession,
): CapturedMail {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}\n${value}`;
  }
  const mailFrom = session.envelope.mailFrom;
  return {
    id,
    receivedAt: receivedAt.toISOString(),
    envelope: {
      from: mailFrom ? mailFrom.address : null,
      to: session.envelope.rcptTo.map((recipient) => recipient.address),
    },
    from: addresses(parsed.from)[0] ?? null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject ?? null,
    date: parsed.date?.toISOString() ?? null,
    messageId: parsed.messageId ?? null,
    headers,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    text: parsed.text ?? null,
    attachments: parsed.attachments.map((attachment) => ({
      filename: attachment.filename ?? null,
      contentType: attachment.contentType,
      size: attachment.size,
    })),
  };
}

/** `Name <address>` each (groups flattened), as a reader would write them. */
function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  const flat = (list: EmailAddress[]): EmailAddress[] =>
    list.flatMap((entry) => (entry.group ? flat(entry.group) : [entry]));
  return flat((Array.isArray(field) ? field : [field]).flatMap((object) => object.value)).map((entry) =>
    entry.name ? `${entry.name} <${entry.address ?? ''}>` : (entry.address ?? ''),
  );
}

/** The captured mails in `dir`, newest first (none when the folder does not exist yet). */
export async function listCapturedMails(dir: string): Promise<CapturedMail[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ids = files
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((id) => MAIL_ID.test(id))
    .sort()
    .reverse();
  const mails = await Promise.all(ids.map((id) => readCapturedMail(dir, id)));
  return mails.filter((mail): mail is CapturedMail => mail !== undefined);
}

/** One captured mail; undefined for an unknown or malformed id (never a path outside `dir`). */
export async function readCapturedMail(dir: string, id: string): Promise<CapturedMail | undefined> {
  if (!MAIL_ID.test(id)) return undefined;
  try {
    return JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as CapturedMail;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The raw message (`.eml`) of a captured mail; undefined when there is none. */
export async function readCapturedMailSource(dir: string, id: string): Promise<Buffer | undefined> {
  if (!MAIL_ID.test(id)) return undefined;
  try {
    return await readFile(join(dir, `${id}.eml`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
