import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx, readIdx } from '../../src/data/idx.js';
import { DataError } from '../../src/errors.js';
import { encodeIdx, makeTempDir } from './idx-fixtures.js';

describe('the IDX reader under hostile input', () => {
  it('random bytes: a valid array or a DataError, never a crash or a hang', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const idx = parseIdx(bytes, 'fuzz.idx');
          expect(idx.data.length).toBe(idx.dims.reduce((a, b) => a * b, 1));
        } catch (err) {
          expect(err).toBeInstanceOf(DataError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid header followed by random bytes, raw or gzipped', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }), fc.uint8Array({ maxLength: 200 }), fc.boolean(), async (dims, tail, gz) => {
          const header = encodeIdx(dims, []).subarray(0, 4 + 4 * dims.length);
          const bytes = Buffer.concat([header, tail]);
          const file = join(dir, 'f.idx');
          await writeFile(file, gz ? gzipSync(bytes) : bytes);
          const ok = tail.length === dims.reduce((a, b) => a * b, 1);
          const result = await readIdx(file).then(
            (v) => v,
            (e: unknown) => e,
          );
          if (ok) expect(result).toMatchObject({ dims });
          else expect(result).toBeInstanceOf(DataError);
        }),
        { numRuns: 150 },
      );
    } finally {
      await cleanup();
    }
  });

  it('a gzip bomb is refused once it passes what its header declares, without inflating it all', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      // a header for 10 images of 28x28, then 64 MB of zeros: 64 kB compressed
      const header = encodeIdx([10, 28, 28], []).subarray(0, 16);
      const zeros = Buffer.alloc(64 << 20);
      const parts = [gzipSync(Buffer.concat([header, zeros]))];
      const file = join(dir, 'bomb.idx.gz');
      await writeFile(file, Buffer.concat(parts));
      const before = process.memoryUsage().arrayBuffers;
      const err = await readIdx(file).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toContain('decompresses to more than 7856 bytes, the length its IDX header declares: unexpected data from offset 7856');
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20); // it stopped early
    } finally {
      await cleanup();
    }
  });
});
