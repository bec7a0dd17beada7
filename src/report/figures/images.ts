import { PNG } from 'pngjs';
import { writeReportFile } from './write-file.js';

/** A grayscale picture, one byte per pixel, row-major. */
export interface GrayImage {
  gray: Uint8Array;
  width: number;
  height: number;
}

export interface TileOptions {
  cols: number; // tiles per row; rows follow from the count
  scale?: number; // output pixels per image pixel, nearest neighbour (crisp when upscaled)
  gap?: number; // output pixels between neighbouring tiles (none around the outside)
  background?: number; // gray level 0-255 of the gaps
  size?: { height: number; width: number }; // of one image (28 x 28 by default)
}

/** Pixel probability in [0, 1] to a byte, clamped (decoder outputs may round past 1). */
export function toByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}

/**
 * Tiles `count` images (row-major floats in [0, 1], height*width each) into one grayscale picture:
 * MNIST's white digits on black, `cols` per row, upscaled by `scale` and separated by `gap` pixels.
 */
export function tileGray(pixels: Float32Array, count: number, opts: TileOptions): GrayImage {
  const { cols, scale = 1, gap = 0, background = 255 } = opts;
  const { height: h, width: w } = opts.size ?? { height: 28, width: 28 };
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`tileGray: cols must be a positive integer, got ${cols}`);
  if (pixels.length < count * h * w) {
    throw new RangeError(`tileGray: ${count} images of ${h}x${w} need ${count * h * w} values, got ${pixels.length}`);
  }
  const rows = Math.max(1, Math.ceil(count / cols));
  const tw = w * scale;
  const th = h * scale;
  const width = cols * tw + (cols - 1) * gap;
  const height = rows * th + (rows - 1) * gap;
  const gray = new Uint8Array(width * height).fill(background);
  for (let k = 0; k < count; k++) {
    const x0 = (k % cols) * (tw + gap);
    const y0 = Math.floor(k / cols) * (th + gap);
    for (let y = 0; y < th; y++) {
      const src = k * h * w + Math.floor(y / scale) * w;
      const row = (y0 + y) * width + x0;
      for (let x = 0; x < tw; x++) gray[row + x] = toByte(pixels[src + Math.floor(x / scale)] ?? 0);
    }
  }
  return { gray, width, height };
}

/** PNG bytes of a grayscale picture (8-bit gray, the smallest faithful encoding). */
export function encodePng(image: GrayImage): Buffer {
  const options = { colorType: 0, inputColorType: 0, inputHasAlpha: false } as const;
  const png = new PNG({ width: image.width, height: image.height, ...options });
  png.data = Buffer.from(image.gray.buffer, image.gray.byteOffset, image.gray.byteLength);
  return PNG.sync.write(png, options);
}

/** Tiles the images and writes the PNG; returns its size in pixels for the <img> tag. */
export function writeTiles(path: string, pixels: Float32Array, count: number, opts: TileOptions): { width: number; height: number } {
  const image = tileGray(pixels, count, opts);
  writeReportFile(path, encodePng(image));
  return { width: image.width, height: image.height };
}
