/**
 * Requests at a steady rate (open loop): one every 1/rate seconds, whether or not the earlier
 * ones have been answered, over up to `maxSockets` keep-alive connections per server.
 *
 * autocannon's `overallRate` is not that: each connection sends its share of a second's
 * requests back to back as soon as the second begins and then waits for the next one, so
 * "500 req/s over 50 connections" is a burst of 500 requests, 50 at a time, at the start of
 * every second, and its latencies are those of 50 concurrent requests on a saturated server.
 *
 * A request's latency counts from the moment it was due, not from when a free connection
 * took it (so a server falling behind shows as growing latency, not as fewer requests:
 * no coordinated omission).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile, summarize, type LoadResult } from './api-stack';

export async function pacedLoad(
  /** One URL, or several (instances of one server): the requests take turns, as behind a load balancer. */
  urls: string | string[],
  options: { rate: number; duration: number; headers?: Record<string, string>; maxSockets?: number },
): Promise<LoadResult> {
  const targets = typeof urls === 'string' ? [urls] : urls;
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 50 });
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.duration);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let finished = 0;
  const started = performance.now();

  const send = (url: string, due: number) =>
    new Promise<void>((resolve) => {
      const done = (ok: boolean, status?: number) => {
        if (!ok) errors++;
        else if (status! < 200 || status! >= 300) non2xx++;
        else latencies.push(performance.now() - due);
        finished++;
        resolve();
      };
      const req = request(url, { agent, headers: options.headers }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => done(true, res.statusCode));
        res.on('error', () => done(false));
      });
      req.on('error', () => done(false));
      req.end();
    });

  const inFlight: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Every request that is due by now goes out (timers fire late, never early).
      while (sent < total && started + sent * interval <= now) {
        inFlight.push(send(targets[sent % targets.length]!, started + sent * interval));
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const summary = summarize(latencies);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    requestsPerSecond: Math.round(finished / elapsed),
    p50: summary.p50,
    p90:
      latencies.length > 0
        ? round(
            percentile(
              [...latencies].sort((a, b) => a - b),
              90,
            ),
          )
        : 0,
    p99: summary.p99,
    max: round(latencies.reduce((most, value) => Math.max(most, value), 0)),
    total: finished,
    non2xx,
    errors,
    timeouts: 0,
  };
}
