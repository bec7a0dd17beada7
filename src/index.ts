// The public surface of vaelab as a library: config in, run directory out.
export { loadConfig, parseConfig, type LoadedConfig, type LoadOptions } from './config/load.js';
export { ConfigSchema, type Config } from './config/schema.js';
export { configReference } from './config/reference.js';
export { loadDataset, type Dataset, type Split } from './data/datasets.js';
export { ConfigError, DataError, DivergenceError, VaelabError } from './errors.js';
export { buildVae } from './models/registry.js';
export type { Vae, VaeSpec, Posterior } from './models/types.js';
export { decode, encode, reconstruct, samplePrior } from './models/vae.js';
export { resume, runConfig, train } from './pipeline.js';
export { readLatents, type Latents } from './run/latents.js';
export { readMetrics, readRunInfo, type EpochMetrics, type RunInfo } from './run/run-dir.js';
export { loadVae } from './run/checkpoint.js';
export { trainAndEvaluate, type Progress, type TrainOptions, type TrainResult } from './train/trainer.js';
