import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import {
  DEV_MAIL_MAX_BYTES,
  listCapturedMails,
  readCapturedMail,
  readCapturedMailSource,
  startDevMailSink,
  type DevMailSink,
} from './dev-mail-sink';

describe('dev mail sink', () => {
  let dir: string;
  let sink: DevMailSink;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'allmende-dev-mail-'));
    sink = await startDevMailSink({ dir: join(dir, 'mails') });
  });

  afterAll(async () => {
    await sink?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const transport = () => createTransport(sink.url);

  it('listens on loopback and keeps each mail as .eml and parsed .json', async () => {
    expect(sink.url).toBe(`smtp://127.0.0.1:${sink.port}`);
    const sent = await transport().sendMail({
      from: 'Allmende <noreply@allmende.localhost>',
      to: 'Anna Weiß <anna@example.org>',
      bcc: 'geheim@example.org',
      subject: 'Ihre Zusammenfassung – Ortsgemeinde',
      text: 'Hallo Anna,\nneu in Ihrer Gemeinde …',
      html: '<p>Hallo <b>Anna</b></p><script>alert(1)</script>',
      headers: {
        'List-Unsubscribe': '<https://allmende.example/unsubscribe/abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    const mails = await listCapturedMails(sink.dir);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toMatchObject({
      from: 'Allmende <noreply@allmende.localhost>',
      to: ['Anna Weiß <anna@example.org>'],
      subject: 'Ihre Zusammenfassung – Ortsgemeinde',
      messageId: sent.messageId,
      text: 'Hallo Anna,\nneu in Ihrer Gemeinde …',
      html: '<p>Hallo <b>Anna</b></p><script>alert(1)</script>',
      envelope: {
        from: 'noreply@allmende.localhost',
        to: ['anna@example.org', 'geheim@example.org'],
      },
    });
    expect(mail.headers['list-unsubscribe']).toBe('<https://allmende.example/unsubscribe/abc>');
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(Date.parse(mail.date!)).not.toBeNaN();

    const files = (await readdir(sink.dir)).sort();
    expect(files).toEqual([`${mail.id}.eml`, `${mail.id}.json`]);
    const raw = (await readCapturedMailSource(sink.dir, mail.id))!.toString('utf8');
    expect(raw).toMatch(/^List-Unsubscribe: <https:\/\/allmende\.example\/unsubscribe\/abc>\r?$/m);
    expect(JSON.parse(await readFile(join(sink.dir, `${mail.id}.json`), 'utf8'))).toEqual(mail);
  });

  it('lists the newest mail first', async () => {
    await transport().sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'zweite', text: '2' });
    await transport().sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'dritte', text: '3' });
    const subjects = (await listCapturedMails(sink.dir)).map((mail) => mail.subject);
    expect(subjects.slice(0, 2)).toEqual(['dritte', 'zweite']);
  });

  it('reads no file outside its folder, and nothing for unknown ids', async () => {
    expect(await readCapturedMail(sink.dir, '../../etc/passwd')).toBeUndefined();
    expect(await readCapturedMail(sink.dir, '20000101T000000000Z-00000000')).toBeUndefined();
    expect(await readCapturedMailSource(sink.dir, '..')).toBeUndefined();
    expect(await listCapturedMails(join(dir, 'not-there'))).toEqual([]);
  });

  it(`refuses mails over ${DEV_MAIL_MAX_BYTES} bytes and keeps nothing of them`, async () => {
    const before = await listCapturedMails(sink.dir);
    await expect(
      transport().sendMail({
        from: 'a@example.org',
        to: 'b@example.org',
        subject: 'zu groß',
        text: 'x'.repeat(DEV_MAIL_MAX_BYTES + 1024),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(await listCapturedMails(sink.dir)).toHaveLength(before.length);
  });
});
