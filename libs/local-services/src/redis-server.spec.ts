import { RedisServerNotFoundError, startRedisServer } from './redis-server';

describe('startRedisServer', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('without redis-server on PATH, stops with a message saying how to get one', async () => {
    process.env.PATH = '/nonexistent';
    await expect(startRedisServer()).rejects.toThrow(RedisServerNotFoundError);
    await expect(startRedisServer()).rejects.toThrow(/apt-get install redis-server.*or set REDIS_URL/);
  });
});
