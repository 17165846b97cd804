/**
 * The benchmarks' SMTP sink, in a process of its own: accepts every mail (no parsing, no
 * storage) and counts. Started by digest.bench.ts with an IPC channel: it sends
 * `{ port }` when listening and answers `{ count }` to `'count'`.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let count = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      count++;
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.server.address() as AddressInfo).port });
});
process.on('message', (message) => {
  if (message === 'count') process.send!({ count });
  if (message === 'reset') count = 0;
});
process.on('disconnect', () => server.close(() => process.exit(0)));
