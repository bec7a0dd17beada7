import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultInit, defaultMlpKeys, dropConvHidden, upgradeModelSection, renameBoundSum } from '../config/upgrade.js';
import { VaelabError } from '../errors.js';
import { readVersionedJson } from './json-file.js';
import { readWeights } from './weights-file.js';
import { recoverDir, replaceDirAtomic, writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { familyOf } from '../models/families/index.js';
import type { VaeSpec } from '../models/types.js';
import type { Vae } from '../models/family.js';
import type { AdamPowers } from './optimizer-state.js';

/**
 * checkpoint/
 *   encoder/model.json + weights.bin   standard tfjs layers format: tf.loadLayersModel reads it anywhere
 *   decoder/model.json + weights.bin   (BatchNorm running statistics are weights of the model)
 *   <network>/                         any other network of the model's family (vae.networks), each a
 *                                      layers model: two stochastic layers save their four conditionals
 *                                      q-h1/ q-z/ p-h1/ p-x/, which are what loads back
 *   optimizer.json + optimizer.bin     Adam's step count and moments, in tfjs weight-manifest form
 *   state.json                         format version, model spec, epoch/step to resume at, partial sums
 */
export const CHECKPOINT_FORMAT = 1;

/** Sums over the steps of the epoch so far, so a resumed epoch reports the same means. */
export interface EpochSums {
  recon: number;
  kl: number;
  count: number; // images
  seconds: number; // training time, evaluation excluded
  loss?: number; // the minimised objective where recon and kl do not give it: iwae's -L_k, a warm-up's or free bits' objective
  klFloored?: number; // free bits: the floored KL, sum_d max(KL_d, floor), that was minimised
  atFloor?: number; // free bits: latent dimensions under the floor, summed over images
}

export interface TrainState {
  formatVersion: number;
  spec: VaeSpec;
  epoch: number; // 0-based epoch in progress (== epochs done when step is 0)
  step: number; // next step within that epoch
  sums: EpochSums;
  trainSeconds: number; // all training time before this epoch
  adam: AdamPowers | null; // null for an optimizer whose saved weights hold all its state (adam.variant iwae-code)
  savedAt: string;
}

/** Saves a layers model as model.json + weights.bin in `dir`, each file written atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      writeFileAtomic(join(dir, 'weights.bin'), weights);
      writeJsonAtomic(join(dir, 'model.json'), {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new VaelabError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** A saved model's files, its weights checked whole and finite (readWeights). */
function readModelFiles(dir: string): { json: tf.io.ModelJSON; groups: tf.io.WeightsManifestConfig; weights: Uint8Array } {
  const json = readJson<tf.io.ModelJSON>(join(dir, 'model.json'));
  const groups = json.weightsManifest ?? [];
  if (groups.length !== 1 || groups[0]!.paths.length !== 1) throw new VaelabError(`${join(dir, 'model.json')}: expected one weights file in its manifest`);
  return { json, groups, weights: readWeights(join(dir, groups[0]!.paths[0]!), groups[0]!.weights) };
}

/** Loads a model saved by saveModel through tfjs's own loader, as any tfjs program would. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const { json, groups, weights } = readModelFiles(dir);
  const weightData = weights.slice().buffer;
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      }),
    );
  } catch (err) {
    throw new VaelabError(`${dir} holds a damaged model: ${(err as Error).message}`);
  }
}

export async function saveCheckpoint(dir: string, vae: Vae, optimizer: tf.Optimizer, state: TrainState): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    for (const [folder, model] of Object.entries(vae.networks)) await saveModel(model, join(tmp, folder));
    const optimizerWeights = await optimizer.getWeights();
    const { data, specs } = await tf.io.encodeWeights(optimizerWeights);
    // getWeights returns the moments themselves (variables) and a fresh scalar for the step count
    for (const w of optimizerWeights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    writeFileAtomic(join(tmp, 'optimizer.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
    writeJsonAtomic(join(tmp, 'optimizer.json'), { weightSpecs: specs });
    writeJsonAtomic(join(tmp, 'state.json'), state);
  });
}

export function hasCheckpoint(dir: string): boolean {
  recoverDir(dir);
  return existsSync(join(dir, 'state.json'));
}

export function readState(dir: string): TrainState {
  recoverDir(dir);
  const state = readVersionedJson<TrainState>(join(dir, 'state.json'), 'checkpoint', CHECKPOINT_FORMAT);
  dropConvHidden(state.spec as unknown as Record<string, unknown>);
  defaultInit(state.spec as unknown as Record<string, unknown>);
  defaultMlpKeys(state.spec as unknown as Record<string, unknown>);
  upgradeModelSection(state.spec);
  renameBoundSum(state.sums as unknown as Record<string, unknown>);
  return state;
}

/** A checkpoint's model, loaded by its family from the networks it saved, for evaluation, reports or resuming. */
export async function loadVae(dir: string): Promise<Vae> {
  const { spec } = readState(dir);
  return familyOf(spec).load(spec, (folder) => loadModel(join(dir, folder)));
}

/**
 * Refuses a checkpoint whose model weights are damaged or not finite, without building the models: what
 * report, compare and resume check before they draw or train anything (loadModel checks the same).
 */
export function checkCheckpointWeights(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory() && existsSync(join(dir, entry.name, 'model.json'))) readModelFiles(join(dir, entry.name));
}

/** Adam's saved state, in the order optimizer.setWeights expects. */
export function readOptimizerWeights(dir: string): { name: string; tensor: tf.Tensor }[] {
  const { weightSpecs } = readJson<{ weightSpecs: tf.io.WeightsManifestEntry[] }>(join(dir, 'optimizer.json'));
  const bytes = readWeights(join(dir, 'optimizer.bin'), weightSpecs);
  const map = tf.io.decodeWeights(bytes.slice().buffer, weightSpecs);
  return weightSpecs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
}

/** A copy of the checkpoint at `dest` (a stage boundary), written beside it and renamed into place (rmSync and rename take a link at `dest`, never its target). */
export function snapshotCheckpoint(dir: string, dest: string): void {
  const tmp = `${dest}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(dir, tmp, { recursive: true });
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
}
