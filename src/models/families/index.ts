import { registerModelSection } from '../../config/model-sections.js';
import { legacyFamily } from '../../config/upgrade.js';
import { VaelabError } from '../../errors.js';
import type { ModelFamily, ModelSection } from '../family.js';
import { gaussian } from './gaussian/index.js';
import { betaTcVae } from './beta-tcvae/index.js';
import { infoVae } from './info-vae/index.js';
import { twoLayer } from './two-layer/index.js';

/** The model families, one line each; `model.family` names one (gaussian when absent). */
const BUILT_IN: readonly ModelFamily[] = [gaussian, twoLayer, infoVae, betaTcVae];

const registered = new Map<string, ModelFamily>();

/**
 * Adds a family, with its config section: how a built-in family enters, and a program's or a test's
 * from outside src/. A second family of the same name is refused. Returns the undo.
 */
export function registerFamily(family: ModelFamily): () => void {
  if (registered.has(family.name)) throw new VaelabError(`a model family named ${family.name} is already registered`);
  if (family.section !== null && family.section.family !== family.name) throw new VaelabError(`model family ${family.name} registers a config section for model.family ${family.section.family}: the names must agree`);
  const unregisterSection = family.section === null ? () => undefined : registerModelSection(family.section);
  registered.set(family.name, family);
  return () => {
    registered.delete(family.name);
    unregisterSection();
  };
}

for (const family of BUILT_IN) registerFamily(family);

export function families(): readonly ModelFamily[] {
  return [...registered.values()];
}

/** The family of a model section or spec (one that names none, written before families or built in code, by config/upgrade's rule). */
export function familyOf(model: ModelSection): ModelFamily {
  const name = model.family ?? legacyFamily(model);
  const family = registered.get(name);
  if (family === undefined) throw new VaelabError(`model.family ${name} is not a registered family (known: ${[...registered.keys()].join(', ')})`);
  return family;
}
