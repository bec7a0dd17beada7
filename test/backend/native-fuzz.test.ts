import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { serialize } from 'node:v8';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/backend/native/addon.js';
import { ENTRY_POINTS, hostile, OVERFLOWS, WRAP_KERNELS, wrapAround, type Case, type Expect } from './native-fuzz-cases.js';

/*
 * Every function the addon exports, called with wrong types, wrong lengths, NaN, Infinity, negative and
 * huge dimensions, and dimensions whose products overflow int32, uint32 and int64: each call must end in a
 * JavaScript exception that names the argument, never a crash. The calls run in child processes, so a crash
 * fails the test with the call that caused it (and the next calls still run) instead of taking the test
 * runner down with it.
 */

const skip = process.env.VAELAB_SKIP_NATIVE === '1';
const ADDON = createRequire(import.meta.url).resolve('vaelab-native');

type Outcome = { kind: 'returned' } | { kind: 'threw'; message: string } | { kind: 'threw a non-Error' } | { kind: 'crashed'; how: string };

/** Runs the calls in order; after a crash a fresh child goes on from the next call. */
const CHILD = `
const fs = require('node:fs');
const { addon, calls, from } = require('node:v8').deserialize(fs.readFileSync(0));
const own = (v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? v.slice() : Array.isArray(v) ? v.map(own) : v);
const native = require(addon);
for (let i = from; i < calls.length; i++) {
  const [fn, args] = [calls[i][0], calls[i][1].map(own)]; // each array in a buffer of its own, as a caller's are
  fs.writeSync(1, 'start ' + i + '\\n');
  let line;
  try {
    native[fn](...args);
    line = 'returned';
  } catch (e) {
    line = e instanceof Error ? 'threw ' + JSON.stringify(e.message) : 'threw-non-error';
  }
  fs.writeSync(1, line + '\\n');
}
`;

function runCalls(calls: [string, unknown[]][]): Outcome[] {
  const out: Outcome[] = [];
  while (out.length < calls.length) {
    const input = serialize({ addon: ADDON, calls, from: out.length });
    const r = spawnSync(process.execPath, ['-e', CHILD], { input, timeout: 20_000, maxBuffer: 64 << 20, encoding: 'buffer' });
    let started = false;
    for (const line of r.stdout.toString().split('\n')) {
      if (line.startsWith('start ')) started = true;
      else if (line === 'returned') out.push({ kind: 'returned' }), (started = false);
      else if (line === 'threw-non-error') out.push({ kind: 'threw a non-Error' }), (started = false);
      else if (line.startsWith('threw ')) out.push({ kind: 'threw', message: JSON.parse(line.slice(6)) as string }), (started = false);
    }
    if (out.length === calls.length) break;
    const stderr = r.stderr.toString().trim().split('\n').slice(-1)[0] ?? '';
    const how = r.error ? String(r.error.message) : r.signal ? `killed by ${r.signal}` : `exited with code ${r.status}${stderr ? `: ${stderr}` : ''}`;
    if (!started) throw new Error(`the fuzz child failed before its first call: ${how}`);
    out.push({ kind: 'crashed', how });
  }
  return out;
}

/**
 * Runs the cases in one child and lists every one whose outcome is not the expected one. setThreads goes
 * last: a thread count that it wrongly accepts would crash the next parallel region, blamed on another call.
 */
function failures(cases: Case[]): string[] {
  const ordered = [...cases.filter((c) => c.fn !== 'setThreads'), ...cases.filter((c) => c.fn === 'setThreads')];
  const outcomes = runCalls(ordered.map((c) => [c.fn, c.args]));
  return ordered.flatMap((c, i) => {
    const problem = judge(c.expect, outcomes[i]!);
    return problem === null ? [] : [`${c.fn} ${c.label}: ${problem}`];
  });
}

/** null where the outcome is the expected one, else what went wrong. */
function judge(want: Expect, got: Outcome): string | null {
  const seen = got.kind === 'threw' ? `threw "${got.message}"` : got.kind;
  const crash = got.kind === 'crashed' ? `crashed the process (${got.how})` : null;
  if (want.kind === 'returns') return got.kind === 'returned' ? null : `expected it to return, it ${crash ?? seen}`;
  if (want.kind === 'survives') return crash === null && got.kind !== 'threw a non-Error' ? null : `expected a return or an exception, it ${crash ?? seen}`;
  if (got.kind !== 'threw') return `expected an exception naming ${want.names.join(' or ')}, it ${crash ?? seen}`;
  const named = want.names.some((name) => (name === '' ? /^expected \d+ arguments, got \d+$/ : new RegExp(`(^|\\band )${name}(\\[\\d+\\])?: \\S`)).test(got.message));
  return named ? null : `expected an exception naming ${want.names.map((n) => n || 'the argument count').join(' or ')}, it ${seen}`;
}

describe.skipIf(skip)(`the native addon under hostile arguments${skip ? ' (skipped: VAELAB_SKIP_NATIVE=1 says the addon is not built here)' : ''}`, () => {
  beforeAll(() => {
    const addon = loadAddon();
    if (!addon.ok) throw new Error(`${addon.reason} (set VAELAB_SKIP_NATIVE=1 to skip these tests)`);
  });

  it('has a fuzz entry for every function the addon exports', () => {
    const addon = loadAddon();
    if (!addon.ok) throw new Error(addon.reason);
    expect(Object.getOwnPropertyNames(addon.addon).sort()).toEqual([...new Set(ENTRY_POINTS.map((e) => e.fn))].sort());
  });

  it('runs every entry point with its valid arguments (so a refusal below comes from the one bad argument)', () => {
    expect(failures(ENTRY_POINTS.map((e) => ({ fn: e.fn, label: 'with valid arguments', args: e.args.map((a) => a.value), expect: { kind: 'returns' } })))).toEqual([]);
  });

  it('refuses each wrong argument with an exception that names it: types, lengths, NaN, Infinity, negative, fractional and huge values, wrong counts', () => {
    const cases = ENTRY_POINTS.flatMap((e) =>
      e.args.flatMap((arg, i) =>
        hostile(arg).map((h) => ({ fn: e.fn, label: `${e.variant ?? ''}${arg.name} = ${h.label}`, args: e.args.map((a, j) => (j === i ? h.value : a.value)), expect: h.expect })),
      ),
    );
    const counts = ENTRY_POINTS.flatMap((e) => {
      const args = e.args.map((a) => a.value);
      return [args.slice(0, -1), [...args, 0], Array.from({ length: 30 }, () => 0)].filter((list) => list.length !== args.length).map((list) => ({ fn: e.fn, label: `with ${list.length} arguments`, args: list, expect: { kind: 'throws', names: [''] } as Expect }));
    });
    expect(cases.length).toBeGreaterThan(1000);
    expect(failures([...cases, ...counts])).toEqual([]);
  });

  it('refuses dimensions whose products overflow int32, uint32 or int64 (a wrapped product passed the length check and the loops wrote past the arrays)', () => {
    expect(failures(OVERFLOWS)).toEqual([]);
  });

  it('refuses several wrong arguments at once, naming one of them (fast-check)', () => {
    const arb = fc
      .constantFrom(...ENTRY_POINTS.filter((e) => e.args.length > 0))
      .chain((e) => fc.tuple(fc.constant(e), fc.uniqueArray(fc.nat(e.args.length - 1), { minLength: 1, maxLength: Math.min(3, e.args.length) }), fc.nat()));
    const cases = fc.sample(arb, { seed: 28, numRuns: 1500 }).flatMap(([e, positions, pick]) => {
      const bad = positions.map((i) => ({ i, h: hostile(e.args[i]!).filter((h) => h.expect.kind === 'throws') })).filter((b) => b.h.length > 0);
      if (bad.length === 0) return [];
      const chosen = bad.map((b) => ({ i: b.i, h: b.h[pick % b.h.length]! }));
      const bySlot = new Map(chosen.map((c) => [c.i, c.h.value]));
      const args = e.args.map((a, j) => (bySlot.has(j) ? bySlot.get(j) : a.value)); // null and undefined are hostile values too
      const names = chosen.flatMap((c) => (c.h.expect.kind === 'throws' ? c.h.expect.names : []));
      return [{ fn: e.fn, label: chosen.map((c) => `${e.args[c.i]!.name} = ${c.h.label}`).join(', '), args, expect: { kind: 'throws', names } as Expect }];
    });
    expect(failures(cases)).toEqual([]);
  });

  it('refuses any image geometry whose sizes wrap around int64, wherever the bits fall (fast-check)', () => {
    const arb = fc.constantFrom(...WRAP_KERNELS).chain((fn) => {
      const conv = fn.startsWith('conv');
      const side = fc.integer({ min: 0, max: fn.startsWith('resize') ? 12 : 30 }); // resize's index arrays hold a side each
      const exps = fc.tuple(fc.integer({ min: 0, max: 30 }), side, side, fc.integer({ min: 0, max: conv ? 3 : 30 })); // conv's filter holds the channels
      return fc.tuple(fc.constant(fn), exps.filter((e) => e[0] + e[1] + e[2] + e[3] >= 64));
    });
    const cases = fc.sample(arb, { seed: 28, numRuns: 100 }).map(([fn, e]) => wrapAround(fn, e));
    expect(failures(cases)).toEqual([]);
  });
});
