import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VaelabError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

/**
 * latents.bin holds, per split, the encoder's posterior means and log-variances (float32, row-major
 * [count, latentDim], little-endian) and the labels (uint8); latents.json says where each array starts.
 * The report stages read these instead of re-encoding the data.
 */
export const LATENTS_FORMAT = 1;

export interface SplitLatents {
  count: number;
  mu: Float32Array;
  logVar: Float32Array;
  labels: Uint8Array;
}

export interface Latents {
  latentDim: number;
  splits: Record<string, SplitLatents>; // 'test' and 'train'
}

interface ArrayEntry {
  offset: number;
  dtype: 'float32' | 'uint8';
  shape: number[];
}

interface Header {
  formatVersion: number;
  latentDim: number;
  byteLength: number;
  splits: Record<string, { count: number; mu: ArrayEntry; logVar: ArrayEntry; labels: ArrayEntry }>;
}

export function writeLatents(dir: string, latents: Latents): void {
  const d = latents.latentDim;
  const parts: Uint8Array[] = [];
  let offset = 0;
  const add = (bytes: Uint8Array, dtype: ArrayEntry['dtype'], shape: number[]): ArrayEntry => {
    const entry = { offset, dtype, shape };
    parts.push(bytes);
    offset += bytes.byteLength;
    const pad = (4 - (offset % 4)) % 4; // keep every float32 array aligned
    if (pad > 0) parts.push(new Uint8Array(pad));
    offset += pad;
    return entry;
  };
  const splits: Header['splits'] = {};
  for (const [name, s] of Object.entries(latents.splits)) {
    splits[name] = {
      count: s.count,
      mu: add(new Uint8Array(s.mu.buffer, s.mu.byteOffset, s.mu.byteLength), 'float32', [s.count, d]),
      logVar: add(new Uint8Array(s.logVar.buffer, s.logVar.byteOffset, s.logVar.byteLength), 'float32', [s.count, d]),
      labels: add(s.labels, 'uint8', [s.count]),
    };
  }
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bin.set(p, at);
    at += p.byteLength;
  }
  writeFileAtomic(join(dir, 'latents.bin'), bin);
  writeJsonAtomic(join(dir, 'latents.json'), { formatVersion: LATENTS_FORMAT, latentDim: d, byteLength: offset, splits } satisfies Header);
}

export function readLatents(dir: string): Latents {
  const headerPath = join(dir, 'latents.json');
  const binPath = join(dir, 'latents.bin');
  let header: Header;
  let bin: Buffer;
  try {
    header = JSON.parse(readFileSync(headerPath, 'utf8')) as Header;
    bin = readFileSync(binPath);
  } catch (err) {
    throw new VaelabError(`cannot read latents of run ${dir}: ${(err as Error).message}`);
  }
  if (header.formatVersion !== LATENTS_FORMAT) {
    throw new VaelabError(`${headerPath}: latents format ${String(header.formatVersion)}, expected ${LATENTS_FORMAT}`);
  }
  if (bin.byteLength !== header.byteLength) {
    throw new VaelabError(`${binPath}: expected ${header.byteLength} bytes as latents.json says, found ${bin.byteLength}`);
  }
  const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const floats = (e: ArrayEntry) => new Float32Array(buf, e.offset, e.shape.reduce((a, b) => a * b, 1));
  const splits: Record<string, SplitLatents> = {};
  for (const [name, s] of Object.entries(header.splits)) {
    splits[name] = { count: s.count, mu: floats(s.mu), logVar: floats(s.logVar), labels: new Uint8Array(buf, s.labels.offset, s.count) };
  }
  return { latentDim: header.latentDim, splits };
}
