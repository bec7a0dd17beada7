import { createRequire } from 'node:module';
import { writeFileAtomic } from '../../run/atomic.js';

// gifenc ships CommonJS whose exports esbuild defines with getters Node cannot detect as named exports,
// and a `default` beside them that loaders disagree about (Node: module.exports; interop layers: the
// GIFEncoder function). require() returns module.exports everywhere, so load it that way.
const { GIFEncoder } = createRequire(import.meta.url)('gifenc') as typeof import('gifenc');

export interface GifOptions {
  scale?: number; // integer nearest-neighbour upscaling, so 28 x 28 digits are visible on a page
  delayMs?: number; // per frame; GIF stores 1/100 s, and browsers slow delays under 20 ms to ~100 ms
  loop?: boolean; // loop forever (NETSCAPE2.0 extension) or play once
}

const DEFAULTS = { scale: 1, delayMs: 100, loop: true } as const;

// Palette index i is the gray level i: frames are written as their own index bitmaps, with no
// quantisation and so no noise or banding beyond the 8 bits the frames already have.
const GRAY_PALETTE = Array.from({ length: 256 }, (_, i): [number, number, number] => [i, i, i]);

const MAX_SIDE = 0xffff; // GIF stores sizes as 16-bit integers

/** An animated GIF of grayscale frames (0 black .. 255 white, row-major height x width each). */
export function encodeGif(frames: Uint8Array[], width: number, height: number, options: GifOptions = {}): Uint8Array {
  const scale = options.scale ?? DEFAULTS.scale;
  const delayMs = options.delayMs ?? DEFAULTS.delayMs;
  const loop = options.loop ?? DEFAULTS.loop;
  if (frames.length === 0) throw new RangeError('encodeGif: no frames');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`encodeGif: width and height must be positive integers, got ${width} x ${height}`);
  }
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`encodeGif: scale must be a positive integer, got ${scale}`);
  if (!(delayMs >= 0)) throw new RangeError(`encodeGif: delayMs must be >= 0, got ${delayMs}`);
  const w = width * scale;
  const h = height * scale;
  if (w > MAX_SIDE || h > MAX_SIDE) throw new RangeError(`encodeGif: ${w} x ${h} exceeds GIF's ${MAX_SIDE} pixel limit`);
  frames.forEach((frame, f) => {
    if (frame.length !== width * height) {
      throw new RangeError(`encodeGif: frame ${f} has ${frame.length} pixels, expected ${width} x ${height} = ${width * height}`);
    }
  });

  const gif = GIFEncoder();
  const index = new Uint8Array(w * h);
  frames.forEach((frame, f) => {
    upscale(frame, width, height, scale, index);
    gif.writeFrame(index, w, h, {
      // Only the first frame carries the palette: gifenc writes it as the global table there, and
      // would add a redundant 768-byte local table to any later frame given one.
      ...(f === 0 ? { palette: GRAY_PALETTE, repeat: loop ? 0 : -1 } : {}),
      delay: delayMs,
    });
  });
  gif.finish();
  return gif.bytes();
}

/** encodeGif written to `path` atomically (temp file + rename), so a report never links half a GIF. */
export function writeGif(path: string, frames: Uint8Array[], width: number, height: number, options: GifOptions = {}): void {
  writeFileAtomic(path, encodeGif(frames, width, height, options));
}

function upscale(frame: Uint8Array, width: number, height: number, scale: number, out: Uint8Array): void {
  if (scale === 1) {
    out.set(frame);
    return;
  }
  const w = width * scale;
  for (let y = 0; y < height; y++) {
    const row = out.subarray(y * scale * w, (y * scale + 1) * w);
    for (let x = 0; x < width; x++) row.fill(frame[y * width + x]!, x * scale, (x + 1) * scale);
    // The other scale - 1 rows of this block are copies of the first.
    for (let r = 1; r < scale; r++) out.copyWithin((y * scale + r) * w, y * scale * w, (y * scale + 1) * w);
  }
}
