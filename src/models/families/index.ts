import { VaelabError } from '../../errors.js';
import type { ModelFamily, ModelSection } from '../family.js';
import { gaussian } from './gaussian/index.js';
import { twoLayer } from './two-layer/index.js';

/**
 * The model families, one line each. A model section is the first family's that claims it; the
 * Gaussian VAE comes last and takes every section the others decline.
 */
const BUILT_IN: readonly ModelFamily[] = [twoLayer, gaussian];

/** Families added by a program or a test (registerFamily), asked before the built-in ones. */
const added: ModelFamily[] = [];

/**
 * Adds a family from outside src/ (a plugin, a test): it is asked first, so it can claim a model section
 * a built-in family would take. A second family of the same name is refused.
 */
export function registerFamily(family: ModelFamily): () => void {
  if (families().some((f) => f.name === family.name)) throw new VaelabError(`a model family named ${family.name} is already registered`);
  added.unshift(family);
  return () => {
    const i = added.indexOf(family);
    if (i >= 0) added.splice(i, 1);
  };
}

export function families(): readonly ModelFamily[] {
  return [...added, ...BUILT_IN];
}

/** The family a model section belongs to. */
export function familyOf(model: ModelSection): ModelFamily {
  return families().find((f) => f.claims(model))!;
}
