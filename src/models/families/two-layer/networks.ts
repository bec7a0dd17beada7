import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from '../../layers.js';
import type { Conditionals, TwoLayerSpec } from './spec.js';

/**
 * The model with two stochastic layers (Burda et al. 2015, appendix; model.intermediate), as four
 * conditionals and the two paths through h1's means that the figures draw (types.ts). Every layer has a
 * name of its own across the four, so the same layer objects can be wired into a conditional and into a
 * path, and a loaded checkpoint's conditionals can be wired into the paths again by name.
 *
 *   q(h1 | x): x -> hidden -> enc_h1_mu, enc_h1_logvar       p(x | h1): h1 -> hidden reversed -> dec_logits
 *   q(z | h1): h1 -> intermediate.hidden -> enc_mu, enc_logvar p(h1 | z): z -> intermediate.hidden reversed -> dec_h1_mu, dec_h1_logvar
 *
 * A cvae joins the one-hot label to the input of all four.
 */

type Sym = tf.SymbolicTensor;
type Spec = TwoLayerSpec;

/** Where the layers come from: made once each (seeded by name), or found by name in loaded models. */
interface Bank {
  dense(name: string, units: number, activation?: 'relu' | 'tanh' | 'linear'): tf.layers.Layer;
  join(name: string): tf.layers.Layer;
}

function freshBank(f: LayerFactory): Bank {
  const made = new Map<string, tf.layers.Layer>();
  const once = (name: string, make: () => tf.layers.Layer) => {
    const layer = made.get(name) ?? make();
    made.set(name, layer);
    return layer;
  };
  return { dense: (name, units, activation) => once(name, () => f.dense(name, units, activation)), join: (name) => once(name, () => tf.layers.concatenate({ name })) };
}

function loadedBank(models: tf.LayersModel[]): Bank {
  const find = (name: string) => {
    for (const m of models) {
      const layer = m.layers.find((l) => l.name === name);
      if (layer !== undefined) return layer;
    }
    throw new Error(`a two-layer checkpoint lacks the layer ${name}`);
  };
  return { dense: find, join: find };
}

/** One conditional's graph from its input: the label joined, the hidden chain, then its output layers. */
interface Net {
  join: string;
  dense: string; // prefix of the hidden layers, numbered from 1
  hidden: readonly number[];
}

function hiddenChain(bank: Bank, spec: Spec, net: Net, input: Sym, y: Sym | null): Sym {
  let h = y === null ? input : (bank.join(net.join).apply([input, y]) as Sym);
  net.hidden.forEach((units, i) => {
    h = bank.dense(`${net.dense}_${i + 1}`, units, spec.activation).apply(h) as Sym;
  });
  return h;
}

function gaussian(bank: Bank, spec: Spec, net: Net, heads: [string, string], units: number, input: Sym, y: Sym | null): [Sym, Sym] {
  const h = hiddenChain(bank, spec, net, input, y);
  return [bank.dense(heads[0], units).apply(h) as Sym, bank.dense(heads[1], units).apply(h) as Sym];
}

function nets(spec: Spec) {
  const { hidden, intermediate } = spec;
  return {
    qH1: { join: 'enc_join', dense: 'enc_dense', hidden },
    qZ: { join: 'enc_z_join', dense: 'enc_z_dense', hidden: intermediate.hidden },
    pH1: { join: 'dec_join', dense: 'dec_h1_dense', hidden: [...intermediate.hidden].reverse() },
    pX: { join: 'dec_x_join', dense: 'dec_dense', hidden: [...hidden].reverse() },
  } satisfies Record<keyof Conditionals, Net>;
}

const HEADS = { qH1: ['enc_h1_mu', 'enc_h1_logvar'], qZ: ['enc_mu', 'enc_logvar'], pH1: ['dec_h1_mu', 'dec_h1_logvar'] } as const;

/** A model's inputs: the tensor, and the label for a cvae. */
function inputsOf(name: string, size: number, spec: Spec): { x: Sym; y: Sym | null; all: Sym[] } {
  const x = tf.input({ shape: [size], name });
  const y = spec.kind === 'cvae' ? tf.input({ shape: [spec.numClasses], name: 'label' }) : null;
  return { x, y, all: y === null ? [x] : [x, y] };
}

function conditionals(bank: Bank, spec: Spec): Conditionals {
  const n = nets(spec);
  const d1 = spec.intermediate.latentDim;
  const gaussianModel = (name: string, net: Net, heads: readonly [string, string], inName: string, inSize: number, units: number) => {
    const inp = inputsOf(inName, inSize, spec);
    return tf.model({ name, inputs: inp.all, outputs: gaussian(bank, spec, net, [...heads], units, inp.x, inp.y) });
  };
  const px = inputsOf('h1', d1, spec);
  const logits = bank.dense('dec_logits', spec.imageSize).apply(hiddenChain(bank, spec, n.pX, px.x, px.y)) as Sym;
  return {
    qH1: gaussianModel('q_h1', n.qH1, HEADS.qH1, 'image', spec.imageSize, d1),
    qZ: gaussianModel('q_z', n.qZ, HEADS.qZ, 'h1', d1, spec.latentDim),
    pH1: gaussianModel('p_h1', n.pH1, HEADS.pH1, 'z', spec.latentDim, d1),
    pX: tf.model({ name: 'p_x', inputs: px.all, outputs: logits }),
  };
}

/** The figures' paths through h1's means: x -> [mu, logVar] of z, and z -> logits. */
function paths(bank: Bank, spec: Spec): { encoder: tf.LayersModel; decoder: tf.LayersModel } {
  const n = nets(spec);
  const d1 = spec.intermediate.latentDim;
  // only the mean heads of h1: a layer applied outside every model would never be released by dispose
  const mean = (net: Net, head: string, input: Sym, y: Sym | null) => bank.dense(head, d1).apply(hiddenChain(bank, spec, net, input, y)) as Sym;
  const enc = inputsOf('image', spec.imageSize, spec);
  const h1Mean = mean(n.qH1, HEADS.qH1[0], enc.x, enc.y);
  const encoder = tf.model({ name: 'encoder', inputs: enc.all, outputs: gaussian(bank, spec, n.qZ, [...HEADS.qZ], spec.latentDim, h1Mean, enc.y) });
  const dec = inputsOf('z', spec.latentDim, spec);
  const h1Prior = mean(n.pH1, HEADS.pH1[0], dec.x, dec.y);
  const logits = bank.dense('dec_logits', spec.imageSize).apply(hiddenChain(bank, spec, n.pX, h1Prior, dec.y)) as Sym;
  return { encoder, decoder: tf.model({ name: 'decoder', inputs: dec.all, outputs: logits }) };
}

/** A freshly initialised two-layer model: its conditionals and the figures' paths, sharing every layer. */
export function twoLayerModels(spec: Spec, seed: number): { encoder: tf.LayersModel; decoder: tf.LayersModel; intermediate: Conditionals } {
  const bank = freshBank(new LayerFactory(seed, spec.init));
  const intermediate = conditionals(bank, spec);
  return { ...paths(bank, spec), intermediate };
}

/** The figures' paths wired again from loaded conditionals (a checkpoint saves the conditionals). */
export function twoLayerPaths(spec: Spec, loaded: Conditionals): { encoder: tf.LayersModel; decoder: tf.LayersModel } {
  return paths(loadedBank([loaded.qH1, loaded.qZ, loaded.pH1, loaded.pX]), spec);
}
