import { VaelabError } from '../errors.js';
import { ConfigSchema, IWAE_AUTO_BATCH, IWAE_AUTO_SAMPLES, type Config } from './schema.js';
import { expandSweep, nameSweepPoints, withValues } from './sweep.js';
import { modelSection, type MemoryShape } from './model-sections.js';

/**
 * What a config asks of memory, estimated from the schema's values alone, before anything is allocated.
 * A schema-valid value can still ask for the impossible (`model.hidden: [65536, 65536]` is 4.3 billion
 * weights, 69 GB with Adam's moments; `loss.samples: 5000` at batch 128 is a 2 GB tensor that no wasm heap
 * holds): such a config is refused at load, naming the key, as any other bad value, and a queued job is
 * refused by the worker the same way, so one config cannot take a machine or every worker down.
 *
 * The estimate is deliberately coarse (an upper-end figure within a small factor): it exists to stop orders
 * of magnitude, not to predict RSS. Everything a run holds at once is in it: the weights with their
 * gradients and Adam's two moments, one training step's activations (kept for the backward pass), and one
 * pass of the IWAE estimate.
 */

/**
 * The default bound on the estimate: the most a wasm heap can hold (tensors on the wasm and native backends
 * live in it), and a third of this machine kind's memory. The largest shipped config (the conv CVAE) is
 * estimated at 1.2 GiB.
 */
export const DEFAULT_MEMORY_LIMIT = 4 * 2 ** 30;
/** The environment variable that moves the bound, for a machine that has the memory (or a worker that must keep to less). */
export const MEMORY_LIMIT_ENV = 'VAELAB_MAX_MEMORY';

const FLOAT = 4; // bytes
export const PIXELS = 28 * 28; // every data set is 28x28
const CLASSES = 10; // the one-hot label a cvae joins: an upper end for the data sets we read
const TEST_IMAGES = 10000; // the test split of every data set we read: the most eval.iwaeImages can take
const PER_WEIGHT = 4 * FLOAT; // the weight, its gradient, Adam's m and v
const KEPT = 3; // floats kept per activation for the backward pass (pre-activation, output, gradient)
// One conv image through the conv post's layers (28x28x64, 14x14x64, 14x14x32, 7x7x32 and the mirror
// image in the decoder), each conv followed by ReLU and BatchNorm: floats per image, forward.
const CONV_FLOATS_PER_IMAGE = 2 * (28 * 28 * 64 + 14 * 14 * 64 + 14 * 14 * 32 + 7 * 7 * 32) * 3 + PIXELS;
// The conv model's weights: two 3x3 convolutions each way, dense 1568 -> 400 and back, BatchNorm.
const CONV_WEIGHTS = 2 * (9 * 64 + 9 * 64 * 32 + 7 * 7 * 32 * 400) + 4 * (64 + 32 + 400);

/** One term of the estimate, charged to the key that drives it. */
export interface MemoryTerm {
  key: string; // the config key to lower
  what: string; // in words, with the numbers that make it
  bytes: number;
}

/** [in, out] widths of the dense layers from `from` through `hidden` to `to`. */
export function denseChain(from: number, hidden: readonly number[], to: number): [number, number][] {
  const widths = [from, ...hidden, to];
  return widths.slice(1).map((w, i) => [widths[i]!, w]);
}

/**
 * An mlp's memory shape: its family's (model-sections.ts) or the Gaussian VAE's, whose dense layers a
 * one-sample pass meets encoder then decoder.
 */
function memoryShape(model: Extract<Config['model'], { arch: 'mlp' }>): MemoryShape {
  return (
    modelSection(model.family)?.memory ?? {
      denseLayers: (_m, label) => [...denseChain(PIXELS + label, model.hidden, 2 * model.latentDim), ...denseChain(model.latentDim + label, [...model.hidden].reverse(), PIXELS)],
      widestKey: () => 'model.hidden',
      noisePerSample: () => model.latentDim,
    }
  );
}

/** The terms of a config's estimate, largest first. */
export function memoryTerms(config: Config): MemoryTerm[] {
  const { model, train, loss } = config;
  const label = model.kind === 'cvae' ? CLASSES : 0;
  const k = loss.samples;
  const rows = train.batchSize * k; // the decoder runs on every sample of every image
  const terms: MemoryTerm[] = [];
  if (model.arch === 'mlp') {
    const shape = memoryShape(model);
    const layers = shape.denseLayers(model, label);
    const weights = layers.reduce((n, [a, b]) => n + a * b + b, 0);
    const widest = Math.max(...layers.map(([, b]) => b));
    const key = shape.widestKey(model);
    terms.push({ key, what: `${fmtCount(weights)} weights (${model.hidden.join(' x ')} hidden units), with gradients and Adam's moments`, bytes: weights * PER_WEIGHT });
    const floats = layers.reduce((n, [, b]) => n + b, 0);
    terms.push({ key: k > 1 ? 'loss.samples' : 'train.batchSize', what: `one training step's activations: ${train.batchSize} images x ${k} samples x ${fmtCount(floats)} units`, bytes: rows * floats * KEPT * FLOAT });
    const iwaeRows = config.eval.iwaeBatchSize ?? IWAE_AUTO_BATCH.mlp;
    if (config.eval.iwaeImages + config.eval.iwaeTrainImages > 0) {
      terms.push({ key: 'eval.iwaeBatchSize', what: `one IWAE pass: ${iwaeRows} rows x ${fmtCount(floats + widest)} units`, bytes: iwaeRows * (floats + widest) * FLOAT });
    }
  } else {
    terms.push({ key: 'model.arch', what: `${fmtCount(CONV_WEIGHTS)} conv model weights`, bytes: CONV_WEIGHTS * PER_WEIGHT });
    terms.push({ key: k > 1 ? 'loss.samples' : 'train.batchSize', what: `one training step's activations: ${train.batchSize} images x ${k} samples x ${fmtCount(CONV_FLOATS_PER_IMAGE)} conv activations`, bytes: rows * CONV_FLOATS_PER_IMAGE * FLOAT * 2 });
    const iwaeRows = config.eval.iwaeBatchSize ?? IWAE_AUTO_BATCH.conv;
    if (config.eval.iwaeImages + config.eval.iwaeTrainImages > 0) {
      terms.push({ key: 'eval.iwaeBatchSize', what: `one IWAE pass: ${iwaeRows} rows x ${fmtCount(CONV_FLOATS_PER_IMAGE)} conv activations`, bytes: iwaeRows * CONV_FLOATS_PER_IMAGE * FLOAT });
    }
  }
  // The IWAE estimate keeps log w of every image and sample in float64, and draws a pass's noise at once.
  const images = Math.max(Math.min(config.eval.iwaeImages, TEST_IMAGES), config.eval.iwaeTrainImages);
  if (images > 0) {
    const samples = config.eval.iwaeSamples ?? IWAE_AUTO_SAMPLES[model.arch];
    const rows = config.eval.iwaeBatchSize ?? IWAE_AUTO_BATCH[model.arch];
    const noise = Math.max(rows, samples) * (model.arch === 'mlp' ? memoryShape(model).noisePerSample(model) : model.latentDim);
    terms.push({ key: 'eval.iwaeSamples', what: `the IWAE estimate's log weights: ${images} images x ${samples} samples, and a pass's noise`, bytes: images * samples * 8 + noise * FLOAT });
  }
  // The largest single tensor of a step: every sample's logits (and the tiled targets beside them).
  terms.push({ key: k > 1 ? 'loss.samples' : 'train.batchSize', what: `the reconstruction tensors: ${train.batchSize} images x ${k} samples x ${PIXELS} pixels, twice`, bytes: 2 * rows * PIXELS * FLOAT });
  return terms.sort((a, b) => b.bytes - a.bytes);
}

/** The bound in bytes: VAELAB_MAX_MEMORY (`8G`, `512M`, `8GiB`, bytes) or the default. */
export function memoryLimit(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[MEMORY_LIMIT_ENV];
  if (text === undefined || text.trim() === '') return DEFAULT_MEMORY_LIMIT;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  const bytes = m === null ? NaN : Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase());
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new VaelabError(`${MEMORY_LIMIT_ENV}=${JSON.stringify(text.slice(0, 40))}: expected a size such as 8G, 512M or a number of bytes`);
  }
  return bytes;
}

/**
 * The one problem of a config that asks for more than the bound, or null: the estimate's total, the term
 * that dominates it (its key is where to act) and how to raise the bound.
 */
export function memoryProblem(config: Config, limit = memoryLimit()): { key: string; message: string } | null {
  const terms = memoryTerms(config);
  const total = terms.reduce((n, t) => n + t.bytes, 0);
  if (total <= limit) return null;
  const top = terms[0]!;
  return {
    key: top.key,
    message: `this config needs about ${fmtBytes(total)} of memory, over the limit of ${fmtBytes(limit)}; most of it is ${top.what}: ${fmtBytes(top.bytes)}. Lower this value, or raise the limit on a machine that has the memory (${MEMORY_LIMIT_ENV}=${Math.ceil((total * 1.25) / 2 ** 30)}G)`,
  };
}

/** A config (each point of a sweep) that asks for more memory than the bound: located at the key to lower. */
export function memoryProblems(config: Config): { path: string[]; message: string }[] {
  const limit = memoryLimit();
  if (config.sweep === null) {
    const p = memoryProblem(config, limit);
    return p === null ? [] : [{ path: p.key.split('.'), message: p.message }];
  }
  return nameSweepPoints(expandSweep(config.sweep)).flatMap((point) => {
    const p = memoryProblem(ConfigSchema.parse(withValues(config, point.values)), limit);
    return p === null ? [] : [{ path: ['sweep'], message: `point ${point.name}: ${p.key}: ${p.message}` }];
  }).slice(0, 50); // a grid of huge points is one mistake, listed once per point up to a screenful
}

export function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(0)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}

function fmtCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} billion`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} million`;
  return String(n);
}
