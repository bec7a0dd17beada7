import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError, VaelabError } from '../../src/errors.js';
import { tempDir } from '../helpers/tiny.js';

const dir = tempDir();
let n = 0;
function file(text: string | Uint8Array): string {
  const path = join(dir, `c${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** loadConfig's outcome: a config, or a user error (never anything else). */
function outcome(path: string, set: string[] = []): 'ok' | 'user error' {
  try {
    loadConfig(path, { set });
    return 'ok';
  } catch (err) {
    if (err instanceof VaelabError) return 'user error';
    throw err;
  }
}

describe('the config loader under hostile input', () => {
  it('a YAML alias bomb is a located user error, not minutes of expansion', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`);
    const path = file(['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...levels].join('\n') + '\n');
    expect(() => loadConfig(path)).toThrow(ConfigError);
    expect(() => loadConfig(path)).toThrow(/cannot read the YAML: Excessive alias count/);
  });

  it('__proto__ and friends never reach Object.prototype, from YAML or --set', () => {
    expect(() => loadConfig(file('name: p\nmodel:\n  __proto__:\n    latentDim: 3\n'))).toThrow(/:3:3 model\.__proto__: key "__proto__" is not allowed/);
    expect(() => loadConfig(file('name: p\n'), { set: ['__proto__.polluted=1'] })).toThrow('--set __proto__.polluted: not a config key');
    expect(() => loadConfig(file('name: p\n'), { set: ['model.constructor.prototype.x=1'] })).toThrow(/not a config key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).latentDim).toBeUndefined();
  });

  it('a huge file is refused by its size; thousands of unknown keys list fifty and count the rest', () => {
    expect(() => loadConfig(file('#'.repeat(2 << 20)))).toThrow(/is 2097152 bytes: refusing anything over 1048576/);
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n');
    const err = (() => {
      try {
        loadConfig(file(`name: many\n${keys}\n`));
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.issues).toHaveLength(51);
    expect(err.issues[50]!.message).toBe('... and 19950 more problems');
  });

  it('a repeated key is a syntax error at its line', () => {
    expect(() => loadConfig(file('name: a\nmodel:\n  latentDim: 2\n  latentDim: 3\n'))).toThrow(/:4:3 YAML syntax error: Map keys must be unique \("latentDim" repeats a key above\)/);
  });

  it('random YAML documents: a config or a user error, never a crash', () => {
    const scalar = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null));
    const key = fc.constantFrom('name', 'seed', 'model', 'latentDim', 'hidden', 'arch', 'train', 'epochs', 'data', 'dir', 'sweep', 'extends', 'report', 'stages', 'x', '__proto__', 'model.latentDim');
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
        expect(outcome(file(stringify(doc)))).toMatch(/^(ok|user error)$/);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes and random --set: a user error, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), (bytes, set) => {
        expect(outcome(file(bytes), set)).toMatch(/^(ok|user error)$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('messages quote the start of a value, never all of it', () => {
  it('a 1 MB scalar, a whole file through extends and a huge --set are cut', () => {
    const huge = 'a'.repeat(1_000_000);
    expect(() => loadConfig(file(`name: ${huge}\n`))).toThrow(/found a string of 1000000 characters, "a{59}…$/);
    const passwd = (() => {
      try {
        loadConfig(file('extends: /etc/passwd\n'));
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected an error');
    })();
    expect(passwd).toMatch(/\/etc\/passwd:1:1 expected a mapping of keys, found a string of \d+ characters/);
    expect(passwd.length).toBeLessThan(300);
    expect(() => loadConfig(file('name: x\n'), { set: [`${huge}`] })).toThrow(/--set "a{79}…: expected key\.path=value$/);
    const key = (() => {
      try {
        loadConfig(file(`name: x\nmodel:\n  ${'k'.repeat(1000)}: 1\n`));
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(key.issues[0]).toMatchObject({ line: 3, path: `model.${'k'.repeat(60)}…` });
    expect(key.message.length).toBeLessThan(500);
  });
});
