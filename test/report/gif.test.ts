import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/batches.js';
import { encodeGif, writeGif } from '../../src/report/figures/gif.js';
import { decodeGif } from '../helpers/gif-decode.js';

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
