import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DataError } from '../errors.js';

/**
 * Reader for the IDX format of LeCun's MNIST distribution: two zero bytes, a type code, the number of
 * dimensions, one big-endian uint32 per dimension, then the values in row-major order.
 */

export interface IdxArray {
  dtype: 'uint8';
  dims: number[];
  data: Uint8Array; // product(dims) values, row-major
}

// The other codes of the IDX spec, named so a rejection says what the file holds.
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** Reads a raw or gzipped IDX file; gzip is recognised by its magic bytes, whatever the file is named. */
export async function readIdx(file: string): Promise<IdxArray> {
  const bytes = await readBytes(file);
  return parseIdx(bytes, file);
}

async function readBytes(file: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new DataError(`${file}: cannot read IDX file (${(err as Error).message})`);
  }
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  return await gunzipBounded(raw, file);
}

const MAX_IDX_BYTES = 2 ** 31 - 1; // beyond any 28x28 set that fits in memory as float32

/** The byte count an IDX header declares (header included), once enough of it is there; else null. */
function declaredLength(head: Uint8Array): number | null {
  if (head.length < 4) return null;
  const rank = head[3]!;
  if (head.length < 4 + 4 * rank) return null;
  const view = new DataView(head.buffer, head.byteOffset, 4 + 4 * rank);
  let n = 1;
  for (let i = 0; i < rank; i++) n *= view.getUint32(4 + 4 * i, false);
  return 4 + 4 * rank + n;
}

/**
 * Inflates a gzipped IDX file, stopping as soon as the output passes what its own header declares: a small
 * file that inflates to gigabytes is refused after reading only what a true file of its header would hold.
 */
function gunzipBounded(raw: Buffer, file: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const z = createGunzip();
    const chunks: Buffer[] = [];
    let total = 0;
    let limit: number | null = null;
    z.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      limit ??= declaredLength(Buffer.concat(chunks));
      const cap = Math.min(limit ?? MAX_IDX_BYTES, MAX_IDX_BYTES);
      if (total > cap) {
        z.destroy();
        reject(
          new DataError(
            `${file}: decompresses to more than ${cap} bytes, ` +
              (limit !== null && limit <= MAX_IDX_BYTES ? `the length its IDX header declares: unexpected data from offset ${cap}` : 'more than any IDX file vaelab reads'),
          ),
        );
      }
    });
    z.on('end', () => resolve(Buffer.concat(chunks)));
    z.on('error', (err) =>
      reject(
        new DataError(
          `${file}: corrupt or truncated gzip stream (zlib: ${err.message}) in ${raw.length} compressed bytes; expected a complete gzip file`,
        ),
      ),
    );
    z.end(raw);
  });
}

/**
 * Parses IDX bytes. `file` only labels errors; offsets in them count in the decompressed bytes when the
 * file was gzipped.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new DataError(`${file}: ${bytes.length} bytes, too short for an IDX file; expected a 4-byte magic number first`);
  }
  const [z0, z1, type, rank] = [bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0];
  if (z0 !== 0 || z1 !== 0) {
    throw new DataError(
      `${file}: not an IDX file: found ${hex(z0)} ${hex(z1)} at offset 0, expected 0x00 0x00 (the IDX magic number)`,
    );
  }
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ?? 'not an IDX type';
    throw new DataError(
      `${file}: unsupported IDX type code ${hex(type)} (${name}) at offset 2; expected 0x08 (unsigned byte)`,
    );
  }
  if (rank === 0) {
    throw new DataError(`${file}: IDX header at offset 3 declares 0 dimensions; expected at least 1`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DataError(
      `${file}: truncated IDX header: ${rank} dimensions need a ${headerLength}-byte header, found ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - headerLength;
  const shape = `[${dims.join(', ')}]`;
  if (found < expected) {
    throw new DataError(
      `${file}: truncated: dims ${shape} need ${expected} bytes after the ${headerLength}-byte header, ` +
        `found ${found} (the data ends at offset ${bytes.length}, expected it to end at offset ${headerLength + expected})`,
    );
  }
  if (found > expected) {
    throw new DataError(
      `${file}: ${found - expected} unexpected trailing byte(s) from offset ${headerLength + expected}: ` +
        `dims ${shape} need exactly ${expected} bytes after the ${headerLength}-byte header, found ${found}`,
    );
  }
  // A plain Uint8Array view: Buffer's slice() shares memory, and callers expect typed-array semantics.
  return { dtype: 'uint8', dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, expected) };
}
