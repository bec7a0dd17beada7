import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

/** The issues loading this YAML (with `--set` overrides) reports, as "line path: message"; fails if it loads. */
export function configIssues(yaml: string, set: string[] = []): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'vaelab-config-')), 'c.yaml');
  writeFileSync(file, yaml);
  try {
    loadConfig(file, { set });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.line ?? '-'} ${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}
