import type { INestApplication } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import request from 'supertest';
import { startDevMailSink, type CapturedMail, type DevMailSink } from '@allmende/local-services';
import { testConfig } from '../../../../test/support/test-config';
import { createApiApp } from '../create-api-app';

describe('/dev/mail', () => {
  let dir: string;
  let sink: DevMailSink;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'allmende-dev-mail-api-'));
    sink = await startDevMailSink({ dir: join(dir, 'dev-mail') });
  });

  afterAll(async () => {
    await sink?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function apiIn(nodeEnv: string, devMailDir: string | undefined): Promise<INestApplication> {
    const app = await createApiApp(
      testConfig({
        NODE_ENV: nodeEnv,
        PUBLIC_URL: 'http://127.0.0.1:3000',
        ...(devMailDir === undefined ? {} : { DEV_MAIL_DIR: devMailDir }),
      }),
    );
    await app.init();
    return app;
  }

  describe('in development with DEV_MAIL_DIR', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await apiIn('development', sink.dir);
    });

    afterAll(async () => {
      await app?.close();
    });

    it('lists a mail sent to the sink and shows it, its HTML only sandboxed', async () => {
      await createTransport(sink.url).sendMail({
        from: 'Allmende <noreply@allmende.localhost>',
        to: 'anna@example.org',
        subject: 'Neu in <Ortsgemeinde>',
        text: 'Hallo Anna',
        html: '<p>Hallo <b>Anna</b></p><script>parent.stolen = 1</script>',
        headers: { 'List-Unsubscribe': '<https://allmende.example/u/abc>' },
      });

      const listed = await request(app.getHttpServer()).get('/dev/mail.json').expect(200);
      const mails = listed.body as CapturedMail[];
      const mail = mails.find((entry) => entry.subject === 'Neu in <Ortsgemeinde>');
      expect(mail).toMatchObject({ to: ['anna@example.org'], text: 'Hallo Anna' });

      const list = await request(app.getHttpServer()).get('/dev/mail').expect(200);
      expect(list.headers['content-type']).toMatch(/^text\/html/);
      expect(list.text).toContain(`href="/dev/mail/${mail!.id}"`);
      expect(list.text).toContain('Neu in &lt;Ortsgemeinde&gt;');
      expect(list.text).not.toContain('<Ortsgemeinde>');

      const page = await request(app.getHttpServer()).get(`/dev/mail/${mail!.id}`).expect(200);
      expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(page.text).toContain('&lt;https://allmende.example/u/abc&gt;');
      expect(page.text).toContain('Hallo Anna');
      expect(page.text).toMatch(new RegExp(`<iframe sandbox="[^"]*" src="/dev/mail/${mail!.id}/html"`));
      expect(page.text).not.toContain('<script>');

      const html = await request(app.getHttpServer()).get(`/dev/mail/${mail!.id}/html`).expect(200);
      expect(html.headers['content-security-policy']).toMatch(/^sandbox\b/);
      expect(html.text).toContain('<b>Anna</b>');

      const source = await request(app.getHttpServer()).get(`/dev/mail/${mail!.id}/source`).expect(200);
      expect(source.text).toMatch(/^Subject: Neu in <Ortsgemeinde>/m);
    });

    it('answers 404 for an unknown or odd id', async () => {
      await request(app.getHttpServer()).get('/dev/mail/20000101T000000000Z-00000000').expect(404);
      await request(app.getHttpServer()).get('/dev/mail/..%2F..%2Fetc%2Fpasswd').expect(404);
    });
  });

  it.each([
    ['test', 'DEV_MAIL_DIR set', true],
    ['production', 'DEV_MAIL_DIR set', true],
    ['development', 'no DEV_MAIL_DIR', false],
  ])('does not exist in %s with %s', async (nodeEnv, _label, withDir) => {
    const app = await apiIn(nodeEnv, withDir ? sink.dir : undefined);
    try {
      await request(app.getHttpServer()).get('/dev/mail').expect(404);
      await request(app.getHttpServer()).get('/dev/mail.json').expect(404);
    } finally {
      await app.close();
    }
  });
});
