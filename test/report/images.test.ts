import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng, tileGray, toByte } from '../../src/report/figures/images.js';

/** n images of 2x3 pixels, image k filled with value (k + 1) / 10, except pixel (1, 2) = 1. */
function tinyImages(n: number): Float32Array {
  const px = new Float32Array(n * 6);
  for (let k = 0; k < n; k++) {
    px.fill((k + 1) / 10, k * 6, (k + 1) * 6);
    px[k * 6 + 5] = 1;
  }
  return px;
}
const size = { height: 2, width: 3 };

describe('tileGray', () => {
  it('lays out cols x rows tiles with gaps between (not around) them', () => {
    const img = tileGray(tinyImages(5), 5, { cols: 3, scale: 2, gap: 1, size });
    expect(img.width).toBe(3 * 6 + 2 * 1);
    expect(img.height).toBe(2 * 4 + 1 * 1);
    expect(img.gray.length).toBe(img.width * img.height);
  });

  it('upscales by nearest neighbour and fills gaps and empty cells with the background', () => {
    const img = tileGray(tinyImages(5), 5, { cols: 3, scale: 2, gap: 1, background: 7, size });
    const at = (x: number, y: number) => img.gray[y * img.width + x];
    expect(at(0, 0)).toBe(toByte(0.1)); // image 0, top-left block
    expect(at(1, 1)).toBe(toByte(0.1));
    expect(at(4, 2)).toBe(255); // image 0's pixel (row 1, col 2) covers x 4..5, y 2..3
    expect(at(5, 3)).toBe(255);
    expect(at(6, 0)).toBe(7); // the gap column after tile 0
    expect(at(7, 0)).toBe(toByte(0.2)); // tile 1 starts after the gap
    expect(at(0, 5)).toBe(toByte(0.4)); // second row starts at y = 4 + 1
    expect(at(14, 5)).toBe(7); // cell 5 of 6 is empty
  });

  it('clamps decoder outputs outside [0, 1]', () => {
    expect(toByte(-0.2)).toBe(0);
    expect(toByte(1.3)).toBe(255);
    expect(toByte(0.5)).toBe(128);
  });

  it('refuses a pixel array too short for the count', () => {
    expect(() => tileGray(new Float32Array(5), 1, { cols: 1, size })).toThrow(/need 6 values/);
  });
});

describe('encodePng', () => {
  it('round-trips the gray levels through a real PNG decoder', () => {
    const img = tileGray(tinyImages(2), 2, { cols: 2, scale: 3, gap: 2, size });
    const back = PNG.sync.read(encodePng(img));
    expect([back.width, back.height]).toEqual([img.width, img.height]);
    for (let i = 0; i < img.gray.length; i++) {
      expect(back.data[4 * i]).toBe(img.gray[i]);
      expect(back.data[4 * i + 3]).toBe(255);
    }
  });
});
