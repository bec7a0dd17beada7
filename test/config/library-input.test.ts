import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { ConfigError, VaelabError } from '../../src/errors.js';
import { loadConfig, parseConfig, train } from '../../src/index.js';
import { tempDir } from '../helpers/tiny.js';

/** What a JavaScript caller (no type checker) can hand the library: user errors with a message, never a TypeError. */
describe('the library under wrong arguments', () => {
  it('loadConfig(undefined) and a string for options.set are user errors', () => {
    expect(() => loadConfig(undefined as unknown as string)).toThrow(VaelabError);
    expect(() => loadConfig(undefined as unknown as string)).toThrow(/^loadConfig: expected a config file path, found/);
    expect(() => loadConfig('configs/beta4.yaml', { set: 'a=1' as unknown as string[] })).toThrow(/options\.set must be a list of "key\.path=value" strings, found "a=1"/);
  });

  it("parseConfig's problems name the object, not --set", () => {
    expect(() => parseConfig({ train: { epochs: -5 } })).toThrow(/config object train\.epochs: expected >= 1/);
  });

  it('train() checks the config it is given before a run folder exists', async () => {
    const out = join(tempDir(), 'out');
    const config = ConfigSchema.parse({ name: 'neg' });
    (config.train as { epochs: number }).epochs = -5;
    await expect(train(config, { out })).rejects.toThrow(ConfigError);
    expect(existsSync(out)).toBe(false);
  });
});
