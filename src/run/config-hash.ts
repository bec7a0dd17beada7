import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Config } from '../config/schema.js';
import { canonicalJson } from '../config/sweep.js';
import { VaelabError } from '../errors.js';

/** The fingerprint of a resolved config: equal configs, equal hashes, whatever the key order. */
export function configHash(config: Config): string {
  return sha256(canonicalJson(config));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Refuses a run directory whose config.yaml was edited since the run began: run.json keeps the hash of
 * the config it was made with (`recorded`; absent before 0.2). Resume, report and compare all ask here.
 * Either of two readings matches: the file's own values (so keys a newer vaelab fills with defaults are
 * no edit) or the loaded config (so an upgrade that drops an old key is none either); an edited value
 * matches neither. `why` completes the message: what would go wrong, and what to do.
 */
export function checkConfigUnchanged(dir: string, recorded: string | undefined, config: Config, why: string): void {
  if (recorded === undefined || recorded === configHash(config)) return;
  const path = join(dir, 'config.yaml');
  if (recorded === fileHash(path)) return;
  throw new VaelabError(`${path} was edited after the run ${why}`);
}

/** The hash of config.yaml's values as written (comments and key order aside), or null where it cannot be read. */
function fileHash(path: string): string | null {
  try {
    return sha256(canonicalJson(parse(readFileSync(path, 'utf8'))));
  } catch {
    return null; // readRunConfig has already said what is wrong with the file
  }
}
