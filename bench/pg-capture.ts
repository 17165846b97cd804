/**
 * A TCP proxy in front of PostgreSQL that records every statement its clients send, read off
 * the wire protocol (frontend `Query`, `Parse` and `Bind` messages), with the text-format
 * parameters bound to it and the connection it came on. The benchmarks put it between the
 * real API and the database for a few requests, to replay exactly that SQL in their
 * baselines (then they restart the API without it, so it costs the measured runs nothing).
 *
 * Only plain TCP: clients must not ask for TLS (the API's DATABASE_URL on loopback does not).
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface CapturedStatement {
  /** Which client connection sent it (1, 2, …, in the order they connected). */
  connection: number;
  sql: string;
  /** Text-format parameters (null for SQL NULL); empty for the simple query protocol. */
  params: (string | null)[];
  /** Simple query protocol (`Query` message), e.g. `begin`. */
  simple: boolean;
  at: number;
}

export interface CaptureProxy {
  /** `postgres://…` with the proxy's host and port instead of the database's. */
  urlFor(databaseUrl: string): string;
  statements(): CapturedStatement[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startCaptureProxy(databaseUrl: string): Promise<CaptureProxy> {
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname;
  let captured: CapturedStatement[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const connection = ++connections;
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    upstream.pipe(client);

    let buffer = Buffer.alloc(0);
    let startup = true;
    /** The statement text of the last unnamed Parse, for the Bind that follows it. */
    const prepared = new Map<string, string>();
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (startup) {
          // Startup, SSLRequest, GSSENCRequest: int32 length, no type byte.
          if (buffer.length < 4) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          // 80877103 SSLRequest / 80877104 GSSENCRequest come before the real startup message.
          if (code !== 80877103 && code !== 80877104) startup = false;
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]!);
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === 'Q') {
          captured.push({
            connection,
            sql: cstring(body, 0).value,
            params: [],
            simple: true,
            at: Date.now(),
          });
        } else if (type === 'P') {
          const name = cstring(body, 0);
          const sql = cstring(body, name.next);
          prepared.set(name.value, sql.value);
        } else if (type === 'B') {
          captured.push({ connection, ...parseBind(body, prepared), simple: false, at: Date.now() });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    urlFor: (url) => {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    statements: () => [...captured],
    reset: () => {
      captured = [];
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function cstring(body: Buffer, from: number): { value: string; next: number } {
  const end = body.indexOf(0, from);
  return { value: body.toString('utf8', from, end), next: end + 1 };
}

function parseBind(body: Buffer, prepared: Map<string, string>): { sql: string; params: (string | null)[] } {
  const portal = cstring(body, 0);
  const statement = cstring(body, portal.next);
  let offset = statement.next;
  const formatCount = body.readInt16BE(offset);
  offset += 2;
  const formats: number[] = [];
  for (let index = 0; index < formatCount; index++) {
    formats.push(body.readInt16BE(offset));
    offset += 2;
  }
  const paramCount = body.readInt16BE(offset);
  offset += 2;
  const params: (string | null)[] = [];
  for (let index = 0; index < paramCount; index++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length < 0) {
      params.push(null);
      continue;
    }
    const format = formats.length === 1 ? formats[0] : (formats[index] ?? 0);
    if (format !== 0) throw new Error('pg-capture: binary parameters are not supported');
    params.push(body.toString('utf8', offset, offset + length));
    offset += length;
  }
  const sql = prepared.get(statement.value);
  if (sql === undefined) throw new Error(`pg-capture: Bind of an unknown statement "${statement.value}"`);
  return { sql, params };
}
