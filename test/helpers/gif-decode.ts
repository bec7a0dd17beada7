// --- A minimal GIF89a reader, written from the spec, so the tests check what a viewer would decode. ---

export interface DecodedFrame {
  width: number;
  height: number;
  delayCs: number | null; // from the graphic control extension before it, in 1/100 s
  hasLocalTable: boolean;
  indices: Uint8Array;
}

export interface DecodedGif {
  signature: string;
  width: number;
  height: number;
  globalTable: Uint8Array | null; // r, g, b triples
  loopCount: number | null; // NETSCAPE2.0: 0 = forever; null = no extension (play once)
  frames: DecodedFrame[];
  trailer: boolean;
}

export function decodeGif(bytes: Uint8Array): DecodedGif {
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
