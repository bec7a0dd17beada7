import { Redis, type RedisOptions } from 'ioredis';
import { VaelabError } from '../errors.js';
import { redactBare, redactUrls } from './redact.js';

/**
 * Redis connections for the queue. Every one gets an error handler: an ioredis or BullMQ client without
 * one logs each failed reconnect with a stack, gigabytes a minute while Redis is down. Whatever we print
 * passes through `redact`, so the password of `redis://user:password@host` never reaches a log.
 */
export interface QueueUrl {
  url: string; // as given: the only copy that holds the password
  shown: string; // the same URL with the password replaced by *** (userinfo and ?password=)
  password: string | null;
}

const REACH_TIMEOUT_MS = 5000; // "Redis unreachable" within seconds, not after ioredis's retries

export function parseQueueUrl(url: string): QueueUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VaelabError(`--queue expects a Redis URL such as redis://host:6379 or rediss://user:password@host:6380, found ${JSON.stringify(redactLoose(url))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new VaelabError(`--queue expects a redis:// or rediss:// URL, found ${parsed.protocol}//${parsed.host}`);
  }
  // ioredis takes the password from the userinfo, else from ?password=
  const password = parsed.password !== '' ? decodeURIComponent(parsed.password) : parsed.searchParams.get('password') || null;
  return { url, shown: shownUrl(parsed), password };
}

/**
 * The URL as messages show it, from its parsed form: the password is masked whatever characters it holds
 * (a quote or a space ends redactUrls's scan of free text before the "@").
 */
function shownUrl(parsed: URL): string {
  if (parsed.password !== '') parsed.password = '***';
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
  return parsed.href;
}

/** A URL we could not parse may still hold `:secret@`: cut out what sits between the first ':' and the last '@'. */
function redactLoose(text: string): string {
  return redactUrls(text).replace(/:[^@]*@/, ':***@');
}

/** A message that may quote what Redis or ioredis said, with the password masked (see redact.ts). */
export function redact(text: string, q: QueueUrl): string {
  // the URL as given first: its password may hold characters that end redactUrls's scan
  return redactBare(redactUrls(text.split(q.url).join(q.shown)), q.password);
}

/**
 * Options for long-lived connections: BullMQ's workers need `maxRetriesPerRequest: null` (a blocking
 * command must wait out a reconnect, not fail), and reconnecting forever with a capped delay is what
 * lets a worker and a submitter ride out a Redis restart.
 */
const LASTING: RedisOptions = {
  maxRetriesPerRequest: null,
  enableReadyCheck: true,
  retryStrategy: (times) => Math.min(200 * times, 2000),
};

/**
 * Proves Redis answers (and accepts the password) before any queue object exists: one connection with no
 * retries, so an unreachable or misconfigured Redis is one clear error naming the URL.
 */
export async function checkReachable(q: QueueUrl): Promise<void> {
  const probe = new Redis(q.url, { lazyConnect: true, connectTimeout: REACH_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: Error | null = null;
  probe.on('error', (err: Error) => (lastError = err));
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${REACH_TIMEOUT_MS / 1000} s`)), REACH_TIMEOUT_MS).unref());
  try {
    await Promise.race([probe.connect().then(() => probe.ping()), timer]);
  } catch (err) {
    const why = (lastError as Error | null)?.message ?? (err as Error).message;
    throw new VaelabError(`cannot reach Redis at ${q.shown}: ${redact(why, q)}`);
  } finally {
    probe.disconnect();
  }
}

/**
 * A connection that reconnects forever. Its errors are reported once per outage through `log` (the
 * first error after being ready, then "reconnected"), never once per retry.
 */
export function lastingConnection(q: QueueUrl, role: string, log: (message: string) => void): Redis {
  const redis = new Redis(q.url, LASTING);
  watchConnection(redis, q, role, log);
  return redis;
}

/** The once-per-outage reporting of lastingConnection, for BullMQ's own duplicated connections too. */
export function watchConnection(redis: Redis, q: QueueUrl, role: string, log: (message: string) => void): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log(`${role}: lost Redis at ${q.shown} (${redact(err.message, q)}); reconnecting`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log(`${role}: reconnected to Redis at ${q.shown}`);
  });
}

/**
 * An error handler for a BullMQ object (Queue, Worker, FlowProducer, QueueEvents): the same message within
 * a minute is printed once, so a Redis outage is a few lines, not a flood.
 */
export function onceAMinute(q: QueueUrl, role: string, log: (message: string) => void): (err: Error) => void {
  const seen = new Map<string, number>();
  return (err) => {
    const text = redact(err.message, q);
    const now = Date.now();
    if ((seen.get(text) ?? -Infinity) > now - 60_000) return;
    seen.set(text, now);
    log(`${role}: ${text}`);
  };
}
