import type { ModelSection } from '../../config/model-sections.js';

/** A loss option a family refuses unless `ok` holds of its value, and why (the error's words). */
export interface LossRule {
  key: string;
  ok: (value: unknown) => boolean;
  why: string;
}

const unset = (v: unknown) => v === undefined;

/** The ELBO's options that a family with an objective of its own refuses: free bits, the IWAE bound, several samples. */
export const elboOnlyRules = (why: { freeBits: string; objective: string; samples: string }): LossRule[] => [
  { key: 'freeBits', ok: (v) => v === null || unset(v), why: why.freeBits },
  { key: 'objective', ok: (v) => unset(v) || v === 'elbo', why: why.objective },
  { key: 'samples', ok: (v) => unset(v) || v === 1, why: why.samples },
];

/** A section's check refusing each rule's loss key at its path, naming the family and the value found. */
export function lossCheck(family: string, rules: readonly LossRule[]): NonNullable<ModelSection['check']> {
  return (config, ctx) => {
    for (const { key, ok, why } of rules) {
      const value = config.loss[key];
      if (ok(value)) continue;
      ctx.addIssue({ code: 'custom', path: ['loss', key], message: `model.family ${family} does not take loss.${key} ${JSON.stringify(value)}: ${why}` });
    }
  };
}
