import { z } from 'zod';

/** Decoder rows per IWAE pass when eval.iwaeBatchSize is null: a conv row holds 64x more activations. */
export const IWAE_AUTO_BATCH = { mlp: 10000, conv: 500 } as const;
/**
 * K when eval.iwaeSamples is null. Measured on 2 cores: a conv decoder runs ~2,900 images/s on native
 * (~1,500 on wasm) against ~330 (~110) training images/s, so 200 x 1000 decodes take ~70 s (~135 s), under
 * a full-MNIST epoch's ~180 s (~550 s); 1000 would take ~350 s.
 */
export const IWAE_AUTO_SAMPLES = { mlp: 1000, conv: 200 } as const;

/** Defaults of keys added after sweeps were first hashed: a config holding them hashes as it did before they existed. */
export const LATER_EVAL_DEFAULTS = { qualitySamples: 10000, latentProbes: true, sampler: 'prior', gmmComponents: 10 } as const;

export const EvalSchema = z.strictObject({
  iwaeSamples: z
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe(
      'importance samples K per image for the IWAE estimate of the test negative log-likelihood (null: 1000 for mlp; 200 for conv, whose decoder is ~10x slower, so the estimate stays shorter than a full-MNIST training epoch on native and on wasm)',
    ),
  iwaeImages: z
    .int()
    .min(0)
    .default(1000)
    .describe('the IWAE estimate uses the first N test images, the same in every run so runs compare (0: skip it)'),
  iwaeTrainImages: z
    .int()
    .min(0)
    .default(0)
    .describe(
      'also estimate the NLL on the first N training images (after data.heldOut), with the same K, to see the gap to the test set; with data.binarize dynamic they are binarized once from seed 123, as the test set (0: skip it)',
    ),
  iwaeBatchSize: z
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe('images x samples decoded per forward pass of the IWAE estimate, memory only (null: 10000 for mlp, 500 for conv)'),
  activeThreshold: z
    .number()
    .min(0)
    .default(0.01)
    .describe('a latent dimension is active when the variance over the test set of its posterior mean exceeds this'),
  qualitySamples: z
    .int()
    .min(0)
    .default(LATER_EVAL_DEFAULTS.qualitySamples)
    .describe("prior samples N, and as many test images, scored on the reference classifier (at most the test set; 0: skip; docs/evaluation.md)"),
  latentProbes: z
    .boolean()
    .default(LATER_EVAL_DEFAULTS.latentProbes)
    .describe('score what the posterior means know of the labels: linear probe, k-NN, k-means (docs/evaluation.md)'),
  sampler: z
    .enum(['prior', 'gmm'])
    .default(LATER_EVAL_DEFAULTS.sampler)
    .describe('gmm: also draw from a Gaussian mixture fitted to the training means, scored and drawn beside the prior (docs/evaluation.md)'),
  gmmComponents: z
    .int()
    .min(1)
    .max(100)
    .default(LATER_EVAL_DEFAULTS.gmmComponents)
    .describe('components of that mixture (eval.sampler gmm)'),
});

