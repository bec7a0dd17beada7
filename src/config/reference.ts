import { z } from 'zod';
import { ConfigSchema } from './schema.js';

/** One config key as documented in --help and the README: all of it read from the schema. */
export interface KeyDoc {
  path: string;
  type: string;
  default: string;
  description: string;
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[]; // a discriminated union (the model section, one shape per arch)
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  required?: string[];
  additionalProperties?: unknown;
  leaf?: boolean; // a key of some families only: one row, not walked into
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => String(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
  // a strict mapping inside a union (loss.warmup's {epochs: N}) is shown by its keys: "object" would say nothing
  if (s.properties && s.additionalProperties === false) {
    const keys = Object.entries(s.properties).map(([k, v]) => `${k}${s.required?.includes(k) ? '' : '?'}: ${typeOf(v)}`);
    return `{${keys.join(', ')}}`;
  }
  const base = Array.isArray(s.type) ? s.type.join(' | ') : s.type ?? 'any';
  if (base === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  const lo = s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : s.minimum !== undefined ? `>= ${s.minimum}` : '';
  const hi = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `<= ${s.maximum}` : '';
  const range = [lo, hi].filter(Boolean).join(', ');
  return range ? `${base} (${range})` : base;
}

/**
 * The keys of all the shapes of a union, each once, in first-seen order; a key the shapes type differently
 * (arch: "mlp" in one, "conv" in the other) gets their union, with the first shape's default. A key only
 * some families take is listed once, with its family named.
 */
function merged(options: JsonSchema[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  // the model section is a union of families, each a union of arches: every shape, flat
  const flat = (list: JsonSchema[]): JsonSchema[] => list.flatMap((o) => (o.oneOf === undefined ? [o] : flat(o.oneOf)));
  const shapes = flat(options);
  const familyOf = (o: JsonSchema) => o.properties?.family?.const;
  const first = familyOf(shapes[0] ?? {});
  const common = new Set(shapes.filter((o) => familyOf(o) === first).flatMap((o) => Object.keys(o.properties ?? {})));
  for (const o of shapes) {
    for (const [key, child] of Object.entries(o.properties ?? {})) {
      const seen = out[key];
      if (seen === undefined) out[key] = common.has(key) ? child : { ...child, leaf: true, description: `model.family ${String(familyOf(o))} only: ${child.description ?? ''}` };
      else if (typeOf(seen) !== typeOf(child) && !(seen.anyOf ?? [seen]).some((a) => typeOf(a) === typeOf(child))) {
        out[key] = { default: seen.default, description: seen.description, anyOf: [...(seen.anyOf ?? [seen]), child] };
      }
    }
  }
  return out;
}

export function configReference(): KeyDoc[] {
  const root = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: KeyDoc[] = [];
  const walk = (s: JsonSchema, prefix: string) => {
    for (const [key, child] of Object.entries(s.properties ?? merged(s.oneOf ?? []))) {
      const path = prefix ? `${prefix}.${key}` : key;
      if ((child.properties || child.oneOf) && child.leaf !== true) walk(child, path);
      else rows.push({ path, type: typeOf(child), default: child.default === undefined && child.leaf === true ? '(required)' : JSON.stringify(child.default ?? null), description: child.description ?? '' });
    }
  };
  walk(root, '');
  return rows;
}

export function referenceMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| key | type | default | meaning |', '|---|---|---|---|'];
  for (const r of configReference()) lines.push(`| \`${r.path}\` | ${esc(r.type)} | \`${esc(r.default)}\` | ${esc(r.description)} |`);
  return lines.join('\n');
}
