import pino from 'pino';
import { Writable } from 'node:stream';
import { httpLogSerializers, loggerOptions } from './logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
  };
}

describe('logging', () => {
  it('writes JSON with level label, time and app', () => {
    const { stream, lines } = capture();
    pino(loggerOptions('info', 'api'), stream).info({ tenant: 'ransbach-baumbach' }, 'hello');
    expect(lines()[0]).toMatchObject({
      level: 'info',
      app: 'api',
      tenant: 'ransbach-baumbach',
      msg: 'hello',
    });
    expect(typeof lines()[0]!.time).toBe('string');
  });

  it('redacts secrets and e-mail addresses', () => {
    const { stream, lines } = capture();
    pino(loggerOptions('info', 'cli'), stream).info(
      { member: { email: 'anna@example.org', password: 'geheim', token: 'abc' } },
      'imported',
    );
    expect(JSON.stringify(lines()[0])).not.toMatch(/anna@example\.org|geheim|abc/);
  });

  it('logs requests by id, method and path only: no headers, query or address', () => {
    const request = {
      id: 'r-1',
      method: 'GET',
      url: '/api/tenants/x/members?q=Anna%20Schmidt',
      headers: { authorization: 'Bearer t', cookie: 'sid=1', 'user-agent': 'x' },
      remoteAddress: '203.0.113.7',
    };
    expect(httpLogSerializers.req(request)).toEqual({
      id: 'r-1',
      method: 'GET',
      path: '/api/tenants/x/members',
    });
    expect(httpLogSerializers.res({ statusCode: 200, headers: { 'set-cookie': 'x' } } as never)).toEqual({
      statusCode: 200,
    });
  });
});
