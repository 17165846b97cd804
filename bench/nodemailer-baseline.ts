/**
 * The digest benchmark's baseline, in a process of its own: the same number of fixed mails
 * (one rendered digest, the same size as the real ones) through nodemailer's pooled SMTP
 * transport to the same sink, with as many in flight as the worker's concurrency. Prints one
 * JSON line: { seconds, sent, peakRssMiB }.
 * Environment: BENCH_SMTP_URL, BENCH_COUNT, BENCH_IN_FLIGHT, BENCH_MAIL (a JSON file with html/text/subject).
 */
import { readFileSync } from 'node:fs';
import { Mailer } from '@allmende/mail';

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_COUNT);
  const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 5);
  const sample = JSON.parse(readFileSync(process.env.BENCH_MAIL!, 'utf8')) as {
    subject: string;
    html: string;
    text: string;
    headers: Record<string, string>;
  };
  // The same transport settings as the worker's (Mailer: pooled, 5 connections).
  const mailer = new Mailer({
    smtpUrl: process.env.BENCH_SMTP_URL!,
    from: 'Allmende <noreply@bench.localhost>',
  });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let index = next++; index < count; index = next++) {
        await mailer.send({
          ...sample,
          to: { name: `Mitglied ${index}`, address: `mitglied.${index}@example.org` },
          messageId: `<baseline.${index}@bench.localhost>`,
        });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  mailer.onApplicationShutdown();
  process.stdout.write(
    `${JSON.stringify({ seconds, sent: count, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
