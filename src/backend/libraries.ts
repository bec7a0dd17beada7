import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Shared libraries by soname, found where the dynamic loader would look, without loading them. */

const DEFAULT_DIRS = ['/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'];

/** Where the dynamic loader looks: LD_LIBRARY_PATH, then the directories of ld.so.cache, then the usual ones. */
export function librarySearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  return [...new Set([...fromEnv, ...cachedLibraryDirs(), ...DEFAULT_DIRS])];
}

function cachedLibraryDirs(): string[] {
  try {
    const listing = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return [...listing.matchAll(/=> (\S+)\/[^/\s]+$/gm)].map((m) => m[1]!);
  } catch {
    return []; // no ldconfig (not glibc Linux): the usual directories still get searched
  }
}

/** Whether a shared library of that soname is in one of `dirs`. */
export function hasLibrary(soname: string, dirs: readonly string[] = librarySearchDirs()): boolean {
  return dirs.some((d) => existsSync(join(d, soname)));
}
