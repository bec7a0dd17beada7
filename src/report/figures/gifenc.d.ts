/**
 * Types for the part of gifenc 1.0.3 (untyped; loaded as CommonJS, see gif.ts) that gif.ts uses.
 * Shapes follow its README and src/index.js.
 */
declare module 'gifenc' {
  /** Up to 256 colours, each [r, g, b] in 0..255. */
  export type Palette = [number, number, number][];

  export interface WriteFrameOptions {
    palette?: Palette; // required on the first frame (becomes the global table); on later frames, a local table
    delay?: number; // milliseconds, stored in 1/100 s (rounded)
    repeat?: number; // first frame only: -1 play once, 0 loop forever, k > 0 loop k more times
    transparent?: boolean;
    transparentIndex?: number;
    dispose?: number;
  }

  export interface Encoder {
    /** `index`: width * height palette indices, row-major. */
    writeFrame(index: Uint8Array, width: number, height: number, options?: WriteFrameOptions): void;
    finish(): void; // writes the trailer byte
    bytes(): Uint8Array; // a copy of the stream so far
  }

  export function GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): Encoder;
}
