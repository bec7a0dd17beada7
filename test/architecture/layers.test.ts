import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of src/, lowest first: a file may import its own folder and any folder of a lower rank, never
 * one of its own rank or above. Data flows one way: config -> data -> models -> run directory -> eval and
 * train -> report, jobs -> sweep -> cli. README's "Development" section describes each folder.
 */
const RANK: Record<string, number> = {
  'errors.ts': 0,
  config: 1,
  data: 2,
  backend: 2,
  models: 3,
  run: 4,
  eval: 5,
  train: 6,
  report: 6, // report reads run directories; it never imports train
  jobs: 7,
  sweep: 8,
  queue: 8.5, // a queued sweep: the sweep's points, run by workers through the sweep's own code
  cli: 9,
  'index.ts': 10, // the library's public surface
};

const SRC = join(process.cwd(), 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, re-exports and dynamic), as src-relative .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, normalize(join(dirname(file), s))).replace(/\.js$/, '.ts'));
}

const layerOf = (srcPath: string) => (srcPath.includes('/') ? srcPath.slice(0, srcPath.indexOf('/')) : srcPath);

const files = sourceFiles(SRC).map((f) => relative(SRC, f));
const graph = new Map(files.map((f) => [f, importsOf(join(SRC, f))]));

/** Strongly connected components of more than one file (Tarjan): each is an import cycle. */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('the layers of src/', () => {
  it('every file belongs to a known layer, and every import resolves to a file', () => {
    expect(files.map(layerOf).filter((l) => RANK[l] === undefined)).toEqual([]);
    const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${f} -> ${d}`));
    expect(missing).toEqual([]);
  });

  it('imports only point down (config imports nothing but itself and errors.ts)', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      deps.flatMap((d) => {
        const [a, b] = [layerOf(f), layerOf(d)];
        return a !== b && RANK[b]! >= RANK[a]! ? [`${f} -> ${d}`] : [];
      }),
    );
    expect(bad).toEqual([]);
  });

  it('eval and report never import train', () => {
    const bad = [...graph].flatMap(([f, deps]) => (['eval', 'report'].includes(layerOf(f)) ? deps.filter((d) => layerOf(d) === 'train').map((d) => `${f} -> ${d}`) : []));
    expect(bad).toEqual([]);
  });

  it('outside src/backend, no file names a backend: its checks and limits come through backend/active.ts', () => {
    const named = ['backend/webgpu.ts', 'backend/cuda.ts'];
    const bad = [...graph].flatMap(([f, deps]) => (layerOf(f) === 'backend' ? [] : deps.filter((d) => named.includes(d)).map((d) => `${f} -> ${d}`)));
    expect(bad).toEqual([]);
    expect(graph.get('backend/active.ts')).toContain('backend/webgpu.ts'); // the rule's file names are real ones
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps every file under 250 lines', () => {
    const long = files.filter((f) => readFileSync(join(SRC, f), 'utf8').split('\n').length > 250);
    expect(long).toEqual([]);
  });

  it('the check itself sees imports, cycles and rank breaks', () => {
    expect(graph.get('cli/main.ts')).toContain('config/load.ts');
    const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
