import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';

/** A parsed YAML source that can say where a key path sits in it. */
export interface YamlSource {
  file: string; // as the user named it, for messages
  doc: Document;
  lines: LineCounter;
}

export function parseSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  // the yaml library's own uniqueKeys check compares every pair of keys (60k keys: 28 s): ours is linear
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  return { file, doc, lines };
}

/** Offsets of keys that repeat an earlier key of the same mapping, at any depth. */
export function duplicateKeys(src: YamlSource): { key: string; offset: number }[] {
  const out: { key: string; offset: number }[] = [];
  const walk = (node: unknown) => {
    if (isSeq(node)) for (const item of node.items) walk(item);
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const name = String(key?.value);
      if (seen.has(name)) out.push({ key: name, offset: key?.range?.[0] ?? 0 });
      seen.add(name);
      walk(pair.value);
    }
  };
  walk(src.doc.contents);
  return out;
}

export interface Location {
  file: string;
  line: number;
  col: number;
}

/**
 * The position of `path` in the source, or of its deepest ancestor present there. `exact` tells whether the
 * key itself was found. `at` picks the key (an unknown key) or its value (a bad value).
 */
export function locate(
  src: YamlSource,
  path: (string | number)[],
  at: 'key' | 'value' = 'value',
): { loc: Location; exact: boolean } | null {
  let node: unknown = src.doc.contents;
  let offset: number | null = null;
  let depth = 0;
  for (const key of path) {
    // a list item (a sweep's points) has no key of its own: its position is that of the item
    if (isSeq(node)) {
      const item = /^\d+$/.test(String(key)) ? node.items[Number(key)] : undefined;
      if (item === undefined) break;
      offset = (item as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = item;
      depth++;
      continue;
    }
    if (!isMap(node)) break;
    const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value) === String(key));
    if (pair === undefined) break;
    const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
    const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
    offset = (depth === path.length - 1 && at === 'value' ? valueRange ?? keyRange : keyRange)?.[0] ?? offset;
    node = pair.value;
    depth++;
  }
  if (offset === null) return null;
  const { line, col } = src.lines.linePos(offset);
  return { loc: { file: src.file, line, col }, exact: depth === path.length };
}
