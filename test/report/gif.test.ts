import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/batches.js';
import { encodeGif, writeGif } from '../../src/report/figures/gif.js';

// --- A minimal GIF89a reader, written from the spec, so the tests check what a viewer would decode. ---

interface DecodedFrame {
  width: number;
  height: number;
  delayCs: number | null; // from the graphic control extension before it, in 1/100 s
  hasLocalTable: boolean;
  indices: Uint8Array;
}

interface DecodedGif {
  signature: string;
  width: number;
  height: number;
  globalTable: Uint8Array | null; // r, g, b triples
  loopCount: number | null; // NETSCAPE2.0: 0 = forever; null = no extension (play once)
  frames: DecodedFrame[];
  trailer: boolean;
}

function decodeGif(bytes: Uint8Array): DecodedGif {
  let pos = 0;
  const u8 = (): number => bytes[pos++]!;
  const u16 = (): number => u8() | (u8() << 8);
  const subBlocks = (): Uint8Array => {
    const parts: number[] = [];
    for (let size = u8(); size !== 0; size = u8()) for (let k = 0; k < size; k++) parts.push(u8());
    return Uint8Array.from(parts);
  };
  const signature = String.fromCharCode(...bytes.subarray(0, 6));
  pos = 6;
  const width = u16();
  const height = u16();
  const packed = u8();
  pos += 2; // background index, aspect ratio
  let globalTable: Uint8Array | null = null;
  if (packed & 0x80) {
    const entries = 1 << ((packed & 7) + 1);
    globalTable = bytes.slice(pos, pos + 3 * entries);
    pos += 3 * entries;
  }
  const frames: DecodedFrame[] = [];
  let loopCount: number | null = null;
  let delayCs: number | null = null;
  let trailer = false;
  while (pos < bytes.length) {
    const block = u8();
    if (block === 0x3b) {
      trailer = true;
      break;
    } else if (block === 0x21) {
      const label = u8();
      const data = subBlocks();
      if (label === 0xf9) delayCs = data[1]! | (data[2]! << 8);
      if (label === 0xff && String.fromCharCode(...data.subarray(0, 11)) === 'NETSCAPE2.0') loopCount = data[12]! | (data[13]! << 8);
    } else if (block === 0x2c) {
      pos += 4; // left, top
      const w = u16();
      const h = u16();
      const flags = u8();
      if (flags & 0x40) throw new Error('interlaced frames are not expected');
      if (flags & 0x80) pos += 3 * (1 << ((flags & 7) + 1));
      const minCodeSize = u8();
      const indices = lzwDecode(subBlocks(), minCodeSize, w * h);
      frames.push({ width: w, height: h, delayCs, hasLocalTable: (flags & 0x80) !== 0, indices });
      delayCs = null;
    } else {
      throw new Error(`unexpected block 0x${block.toString(16)} at ${pos - 1}`);
    }
  }
  return { signature, width, height, globalTable, loopCount, frames, trailer };
}

/** GIF's variable-width LZW: codes packed LSB first, widths growing to 12 bits, clear and end codes. */
function lzwDecode(data: Uint8Array, minCodeSize: number, pixels: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out = new Uint8Array(pixels);
  let written = 0;
  let table: number[][] = [];
  let size = minCodeSize + 1;
  let prev: number[] | null = null;
  const reset = (): void => {
    table = Array.from({ length: clear + 2 }, (_, i) => [i]);
    size = minCodeSize + 1;
    prev = null;
  };
  reset();
  let bitPos = 0;
  while (bitPos + size <= data.length * 8) {
    let code = 0;
    for (let b = 0; b < size; b++, bitPos++) code |= ((data[bitPos >> 3]! >> (bitPos & 7)) & 1) << b;
    if (code === clear) {
      reset();
      continue;
    }
    if (code === end) break;
    let entry: number[];
    if (code < table.length) entry = table[code]!;
    else if (code === table.length && prev !== null) entry = [...prev, prev[0]!];
    else throw new Error(`bad LZW code ${code} with ${table.length} entries`);
    for (const v of entry) {
      if (written >= pixels) throw new Error('more pixels than the frame holds');
      out[written++] = v;
    }
    if (prev !== null && table.length < 4096) table.push([...prev, entry[0]!]);
    if (table.length === 1 << size && size < 12) size++;
    prev = entry;
  }
  if (written !== pixels) throw new Error(`decoded ${written} pixels, expected ${pixels}`);
  return out;
}

// --- Tests ---

const W = 7;
const H = 5;
/** Three frames: a ramp over all gray levels, its reverse, and seeded noise. */
function frames(): Uint8Array[] {
  const rng = createRng(3);
  return [
    Uint8Array.from({ length: W * H }, (_, k) => Math.round((k * 255) / (W * H - 1))),
    Uint8Array.from({ length: W * H }, (_, k) => 255 - Math.round((k * 255) / (W * H - 1))),
    Uint8Array.from({ length: W * H }, () => Math.floor(rng() * 256)),
  ];
}

function expectUpscaled(decoded: Uint8Array, frame: Uint8Array, scale: number): void {
  const w = W * scale;
  for (let y = 0; y < H * scale; y++) {
    for (let x = 0; x < w; x++) {
      const expected = frame[Math.floor(y / scale) * W + Math.floor(x / scale)]!;
      if (decoded[y * w + x] !== expected) throw new Error(`pixel (${x}, ${y}): ${decoded[y * w + x]} != ${expected}`);
    }
  }
}

describe('encodeGif', () => {
  it('writes a GIF89a of the scaled size with a 256-level gray global palette', () => {
    const gif = decodeGif(encodeGif(frames(), W, H, { scale: 3 }));
    expect(gif.signature).toBe('GIF89a');
    expect([gif.width, gif.height]).toEqual([21, 15]);
    expect(gif.globalTable).toHaveLength(768);
    for (let i = 0; i < 256; i++) expect(Array.from(gif.globalTable!.subarray(3 * i, 3 * i + 3))).toEqual([i, i, i]);
    expect(gif.trailer).toBe(true);
  });

  it('holds every frame, upscaled by nearest neighbour, with pixel values unchanged', () => {
    const input = frames();
    for (const scale of [1, 4]) {
      const gif = decodeGif(encodeGif(input, W, H, { scale }));
      expect(gif.frames).toHaveLength(3);
      gif.frames.forEach((frame, f) => {
        expect([frame.width, frame.height]).toEqual([W * scale, H * scale]);
        expect(frame.hasLocalTable).toBe(false); // the global gray table serves every frame
        expectUpscaled(frame.indices, input[f]!, scale);
      });
    }
  });

  it('round-trips a large noisy frame (the LZW table fills and restarts)', () => {
    const rng = createRng(9);
    const big = Uint8Array.from({ length: 96 * 96 }, () => Math.floor(rng() * 256));
    const gif = decodeGif(encodeGif([big], 96, 96, { scale: 2 }));
    const decoded = gif.frames[0]!.indices;
    for (let y = 0; y < 192; y++) for (let x = 0; x < 192; x++) {
      if (decoded[y * 192 + x] !== big[(y >> 1) * 96 + (x >> 1)]) throw new Error(`pixel (${x}, ${y}) differs`);
    }
  });

  it('loops forever by default, plays once with loop: false, and stores the delay in 1/100 s', () => {
    const looping = decodeGif(encodeGif(frames(), W, H, { delayMs: 250 }));
    expect(looping.loopCount).toBe(0);
    expect(looping.frames.map((f) => f.delayCs)).toEqual([25, 25, 25]);
    const once = decodeGif(encodeGif(frames(), W, H, { loop: false }));
    expect(once.loopCount).toBeNull();
    expect(once.frames.map((f) => f.delayCs)).toEqual([10, 10, 10]); // default 100 ms
  });

  it('rejects frames of the wrong size, no frames, and a fractional scale', () => {
    expect(() => encodeGif([new Uint8Array(W * H - 1)], W, H)).toThrow(RangeError);
    expect(() => encodeGif([], W, H)).toThrow(RangeError);
    expect(() => encodeGif(frames(), W, H, { scale: 1.5 })).toThrow(RangeError);
  });
});

describe('writeGif', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaelab-gif-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the encoded bytes to the path, leaving no temp file', () => {
    const path = join(dir, 'sub', 'walk.gif');
    writeGif(path, frames(), W, H, { scale: 2 });
    expect(existsSync(path)).toBe(true);
    expect(new Uint8Array(readFileSync(path))).toEqual(encodeGif(frames(), W, H, { scale: 2 }));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['walk.gif']);
  });
});
