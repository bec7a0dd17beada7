import { afterEach, describe, expect, it } from 'vitest';
import { checkReachable, parseQueueUrl, redact } from '../../src/queue/connection.js';
import { redisMissing, startRedis, type RedisServer } from './redis.js';

const skip = redisMissing() === 'skip';

describe('a Redis password in messages', () => {
  it('is masked where a URL carries it, and the rest of the message is left as it was', () => {
    const q = parseQueueUrl('redis://:e@h:6379');
    expect(q.shown).toBe('redis://:***@h:6379');
    const wrongpass = 'WRONGPASS invalid username-password pair or user is disabled.';
    expect(redact(wrongpass, q)).toBe(wrongpass);
    expect(redact('lost redis://:e@h:6379 and rediss://bob:p%40ss@h2:6380/1 (retrying)', q)).toBe('lost redis://:***@h:6379 and rediss://bob:***@h2:6380/1 (retrying)');
    // an unencoded "@" or "/" in a password: everything before the last "@" of the URL is its userinfo
    expect(redact('at REDIS://:p@ss/w0rd@h:1 now', q)).toBe('at REDIS://:***@h:1 now');
    expect(redact('no url: e is not touched', q)).toBe('no url: e is not touched');
  });

  it('is masked whatever characters it holds (a quote or a space ends a URL in free text)', () => {
    for (const url of ["redis://:x'9Lk@host:6379", 'redis://user:p a"s`s@host:6379/0']) {
      const q = parseQueueUrl(url);
      expect(q.shown).toMatch(/^redis:\/\/(user)?:\*\*\*@host:6379/);
      const said = redact(`cannot reach Redis at ${url}: ECONNREFUSED`, q);
      expect(said).toBe(`cannot reach Redis at ${q.shown}: ECONNREFUSED`);
      expect(said).not.toContain('9Lk');
      expect(said).not.toContain('a"s');
    }
  });

  it('is masked in the query string, where ioredis also reads it', () => {
    const q = parseQueueUrl('redis://h:6379/0?password=hunter22&db=1');
    expect(q.password).toBe('hunter22');
    expect(q.shown).toBe('redis://h:6379/0?password=***&db=1');
  });

  it('standing alone is masked when long enough to mean nothing else; a short one is not, since masking it would garble the text and show it', () => {
    const long = parseQueueUrl('redis://:correct-horse-battery@h:6379');
    expect(redact('AUTH correct-horse-battery refused', long)).toBe('AUTH *** refused');
    const short = parseQueueUrl('redis://:pass@h:6379');
    expect(redact('username-password pair', short)).toBe('username-password pair');
  });
});

let redis: RedisServer | null = null;
afterEach(async () => {
  await redis?.stop();
  redis = null;
});

describe.skipIf(skip)('a wrong password given to a real Redis', () => {
  it('is one message with Redis\'s own words intact and the URL masked', async () => {
    redis = await startRedis({ password: 'the-real-password' });
    const q = parseQueueUrl(`redis://:e@${redis.host}:${redis.port}`);
    const err = await checkReachable(q).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe(`cannot reach Redis at redis://:***@${redis.host}:${redis.port}: WRONGPASS invalid username-password pair or user is disabled.`);
  });
});
