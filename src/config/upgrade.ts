// Configs and model specs written by older vaelab versions, brought up to date on read.
import { LATER_EVAL_DEFAULTS } from './eval-schema.js';

/**
 * vaelab 0.1 had one flat model shape and wrote `hidden` (unused) into conv models' configs and specs; the
 * conv shape has no such key now. Runs made then still report and resume.
 */
export function dropConvHidden(model: Record<string, unknown> | undefined): void {
  if (model !== undefined && model.arch === 'conv') delete model.hidden;
}

/** Specs written before `model.init` existed were all built with PyTorch's init, the default then and now. */
export function defaultInit(model: Record<string, unknown> | undefined): void {
  if (model !== undefined && model.init === undefined) model.init = 'pytorch';
}

/** Specs written before `model.activation` and `model.outputBias` existed: ReLU and zero biases, the defaults then and now. */
export function defaultMlpKeys(model: Record<string, unknown> | undefined): void {
  if (model === undefined || model.arch !== 'mlp') return;
  model.activation ??= 'relu';
  model.outputBias ??= 'zero';
}

/**
 * Model sections and specs written before `model.family` existed: `intermediate: {latentDim, hidden}` was
 * the model with two stochastic layers, family two-layer now, and `intermediate: null` (what every
 * one-layer mlp run wrote) or no such key the Gaussian VAE, whose shape has no such key. A section that
 * names its family is left as it is, so a wrong key there is still an error.
 */
export function upgradeModelSection(model: unknown): void {
  if (typeof model !== 'object' || model === null || Array.isArray(model)) return;
  const m = model as Record<string, unknown>;
  if (m.family !== undefined) return;
  m.family = legacyFamily(m);
  if (m.intermediate === null) delete m.intermediate;
}

/** The family of a model section or spec that names none: two-layer with a second layer, else the Gaussian VAE. */
export function legacyFamily(model: object): string {
  const intermediate = (model as { intermediate?: unknown }).intermediate;
  return intermediate === undefined || intermediate === null ? 'gaussian' : 'two-layer';
}

/**
 * A config as vaelab wrote it before model.family, for the hashes that name a sweep and its queued points:
 * a sweep made then resumes in place, and jobs it queued keep their ids. A Gaussian mlp said
 * `intermediate: null`, a two-layer model its layer, and neither named a family; nor had it the eval keys
 * of sample quality and latent probes (dropped here at their defaults).
 */
export function preFamilyForm<T extends { model: object }>(config: T): T {
  const { family, ...model } = config.model as Record<string, unknown>;
  const form = withoutLaterEvalDefaults(config);
  if (family === 'gaussian') return { ...form, model: model.arch === 'mlp' ? { ...model, intermediate: null } : model };
  if (family === 'two-layer') return { ...form, model };
  return form;
}

/** The config less the eval keys added since at their defaults (LATER_EVAL_DEFAULTS), so that its hash stays as it was. */
function withoutLaterEvalDefaults<T extends object>(config: T): T {
  const evalSection = (config as { eval?: Record<string, unknown> }).eval;
  if (evalSection === undefined) return config;
  const kept = Object.fromEntries(Object.entries(evalSection).filter(([k, v]) => !(k in LATER_EVAL_DEFAULTS) || LATER_EVAL_DEFAULTS[k as keyof typeof LATER_EVAL_DEFAULTS] !== v));
  return { ...config, eval: kept };
}

/** Checkpoints written before the warm-up summed an IWAE epoch's minimised bound as `bound`; it is `loss` now. */
export function renameBoundSum(sums: Record<string, unknown> | undefined): void {
  if (sums === undefined || sums.bound === undefined) return;
  sums.loss ??= sums.bound;
  delete sums.bound;
}
