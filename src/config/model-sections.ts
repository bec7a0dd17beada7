import { z } from 'zod';
import { VaelabError } from '../errors.js';

/**
 * The model section's shapes, one per model family: the section is a union discriminated by
 * `model.family`, and a family outside src/config adds its shape here (the model layer's registerFamily
 * does, for each family it registers), so the schema never names a family it does not own.
 *
 * A family's shape extends the mlp or the conv shape (the Gaussian family's, in schema.ts): every family
 * draws on the same networks and data, so `arch`, `kind`, `latentDim` and the mlp's keys mean the same in
 * each, and code outside the family reads them without knowing it.
 */
export interface ModelSection {
  family: string;
  /** A strict object, or a union of them discriminated by `arch`, each with `family: z.literal(family)`. */
  schema: z.ZodType;
  /** Checks across sections (a loss option the family rules out), with the whole config. */
  check?: (config: { model: Record<string, unknown>; loss: Record<string, unknown> }, ctx: z.RefinementCtx) => void;
  /**
   * What the memory bound needs of an mlp of this family where it differs from the Gaussian VAE's: the
   * dense layers a one-sample pass meets ([in, out] widths), the key that makes them wide, and the noise
   * one sample draws.
   */
  memory?: MemoryShape;
}

export interface MemoryShape {
  denseLayers(model: Record<string, unknown>, label: number): [number, number][];
  widestKey(model: Record<string, unknown>): string;
  noisePerSample(model: Record<string, unknown>): number;
}

const sections = new Map<string, ModelSection>();
let union: z.ZodType | null = null;
const listeners: (() => void)[] = [];

/** Calls `listener` after every registration and undo (schema.ts rebuilds the config's schema). */
export function onModelSectionsChange(listener: () => void): void {
  listeners.push(listener);
}

function changed(): void {
  union = null;
  for (const listener of listeners) listener();
}

/** Adds a family's shape; a second shape for a family is refused. Returns the undo (for tests). */
export function registerModelSection(section: ModelSection): () => void {
  if (sections.has(section.family)) throw new VaelabError(`model.family ${section.family} already has a config section`);
  sections.set(section.family, section);
  changed();
  return () => {
    sections.delete(section.family);
    changed();
  };
}

export function modelSection(family: string): ModelSection | undefined {
  return sections.get(family);
}

export function modelFamilies(): string[] {
  return [...sections.keys()];
}

/** The model section's schema as the families registered now make it (built again after a registration). */
export function modelSectionSchema(): z.ZodType {
  if (union === null) {
    const shapes = [...sections.values()].map((s) => s.schema) as [z.ZodObject, ...z.ZodObject[]];
    union = z.discriminatedUnion('family', shapes, { error: modelFamilies().map((f) => JSON.stringify(f)).join(' | ') });
  }
  return union;
}

/** The keys a family's shape of one arch takes, in schema order ([] for an unknown family or arch). */
export function sectionKeys(family: string, arch: string): string[] {
  const schema = sections.get(family)?.schema;
  const options = schema instanceof z.ZodDiscriminatedUnion ? (schema.options as z.ZodObject[]) : [schema as z.ZodObject];
  for (const o of options) {
    if (!(o instanceof z.ZodObject)) continue;
    const a = o.shape.arch as z.ZodType | undefined;
    const values = a === undefined ? [] : [...((a instanceof z.ZodDefault ? a.def.innerType : a) as z.ZodLiteral).values];
    if (values.includes(arch)) return Object.keys(o.shape);
  }
  return [];
}
