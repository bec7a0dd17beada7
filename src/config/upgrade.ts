// Configs and model specs written by older vaelab versions, brought up to date on read.

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

/**
 * Specs written before `model.activation`, `model.outputBias` and `model.intermediate` existed: ReLU, zero
 * biases and one stochastic layer, the defaults then and now.
 */
export function defaultMlpKeys(model: Record<string, unknown> | undefined): void {
  if (model === undefined || model.arch !== 'mlp') return;
  model.activation ??= 'relu';
  model.outputBias ??= 'zero';
  model.intermediate ??= null;
}

/** Checkpoints written before the warm-up summed an IWAE epoch's minimised bound as `bound`; it is `loss` now. */
export function renameBoundSum(sums: Record<string, unknown> | undefined): void {
  if (sums === undefined || sums.bound === undefined) return;
  sums.loss ??= sums.bound;
  delete sums.bound;
}
