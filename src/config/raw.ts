/** Plain-object helpers of the loader, on parsed YAML before it is validated. */

type Raw = Record<string, unknown>;

// Keys that would reach Object.prototype through an assignment: never config keys.
export const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first forbidden key in a parsed document, or null. */
export function forbiddenKey(value: unknown, path: string[] = []): string[] | null {
  if (!isRecord(value)) return null;
  for (const k of Object.keys(value)) {
    if (FORBIDDEN.has(k)) return [...path, k];
    const deeper = forbiddenKey(value[k], [...path, k]);
    if (deeper !== null) return deeper;
  }
  return null;
}

export function deepMerge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? deepMerge(b, v) : v;
  }
  return out;
}

export function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
