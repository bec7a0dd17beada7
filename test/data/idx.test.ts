import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { readIdx } from '../../src/data/idx.js';
import { encodeIdx, makeTempDir } from './idx-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterEach(() => cleanup());

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function expectDataError(file: string, ...fragments: string[]): Promise<void> {
  const err: unknown = await readIdx(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  const message = (err as Error).message;
  expect(message).toContain(file);
  for (const fragment of fragments) expect(message).toContain(fragment);
}

const values = [0, 1, 2, 127, 128, 255];

describe('readIdx', () => {
  it('reads a raw file: dims and row-major values', async () => {
    const file = await write('raw', encodeIdx([2, 3], values));
    const idx = await readIdx(file);
    expect(idx.dtype).toBe('uint8');
    expect(idx.dims).toEqual([2, 3]);
    expect(Array.from(idx.data)).toEqual(values);
  });

  it('detects gzip by content, not by name', async () => {
    const gzNoSuffix = await write('plain-name', gzipSync(encodeIdx([2, 3], values)));
    const rawWithSuffix = await write('raw.gz', encodeIdx([6], values));
    expect(Array.from((await readIdx(gzNoSuffix)).data)).toEqual(values);
    expect((await readIdx(rawWithSuffix)).dims).toEqual([6]);
  });

  it('reads large dims as unsigned big-endian', async () => {
    const file = await write('big', encodeIdx([300], new Array<number>(300).fill(7)));
    expect((await readIdx(file)).dims).toEqual([300]);
  });

  it('rejects a truncated payload, with expected and found sizes and offsets', async () => {
    const full = encodeIdx([2, 3], values);
    const file = await write('truncated', full.subarray(0, full.length - 2));
    await expectDataError(file, 'truncated', 'need 6 bytes after the 12-byte header', 'found 4', 'offset 16', 'offset 18');
  });

  it('rejects a truncated header', async () => {
    const file = await write('short-header', encodeIdx([2, 3], []).subarray(0, 9));
    await expectDataError(file, '12-byte header', 'found 9 bytes');
  });

  it('rejects trailing bytes', async () => {
    const file = await write('trailing', Buffer.concat([encodeIdx([2, 3], values), Buffer.from([9, 9, 9])]));
    await expectDataError(file, '3 unexpected trailing byte(s)', 'offset 18', 'need exactly 6 bytes', 'found 9');
  });

  it('rejects a wrong magic', async () => {
    const bytes = encodeIdx([6], values);
    bytes[1] = 0x03;
    const file = await write('bad-magic', bytes);
    await expectDataError(file, 'found 0x00 0x03 at offset 0', 'expected 0x00 0x00');
  });

  it('rejects a text file that is not IDX at all', async () => {
    const file = await write('page.html', Buffer.from('<html>Not Found</html>'));
    await expectDataError(file, 'found 0x3c 0x68', 'expected 0x00 0x00');
  });

  it('rejects type codes other than unsigned byte, naming them', async () => {
    const float = await write('float', encodeIdx([1], [0, 0, 0, 0], 0x0d));
    await expectDataError(float, 'type code 0x0d (float32) at offset 2', 'expected 0x08 (unsigned byte)');
    const junk = await write('junk', encodeIdx([1], [0], 0x42));
    await expectDataError(junk, 'type code 0x42 (not an IDX type)');
  });

  it('rejects zero dimensions and a file shorter than the magic', async () => {
    await expectDataError(await write('rank0', Buffer.from([0, 0, 8, 0])), '0 dimensions', 'at least 1');
    await expectDataError(await write('tiny', Buffer.from([0, 0])), '2 bytes', 'too short');
  });

  it('rejects a truncated gzip stream', async () => {
    const gz = gzipSync(encodeIdx([100], new Array<number>(100).fill(1)));
    const file = await write('cut.gz', gz.subarray(0, gz.length - 10));
    await expectDataError(file, 'corrupt or truncated gzip stream', 'unexpected end of file');
  });

  it('rejects a corrupt gzip stream', async () => {
    const gz = Buffer.from(gzipSync(encodeIdx([100], new Array<number>(100).fill(1))));
    gz.fill(0xff, 10, 20); // clobber the deflate data right after the 10-byte gzip header
    const file = await write('corrupt.gz', gz);
    await expectDataError(file, 'corrupt or truncated gzip stream', 'expected a complete gzip file');
  });

  it('names the file when it cannot be read', async () => {
    await expectDataError(join(dir, 'absent'), 'cannot read IDX file', 'ENOENT');
  });
});
