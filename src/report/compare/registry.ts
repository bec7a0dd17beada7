import { familyOf } from '../../models/families/index.js';
import { unmetNeed, type Need } from '../../models/family.js';
import { betaSection, curvesSection, digitSections, latentSections, linksSection, type CompareContext, type FigureOutput } from './sections.js';

/** Passes that several sections draw from (one model load per run), run on first use and shared. */
export interface SharedPasses {
  digits(): ReturnType<typeof digitSections>;
  latents(): ReturnType<typeof latentSections>;
}

/**
 * A figure of the comparison report, as a stage is of the run report: one entry each, in page order.
 * `applies` says why a section is not drawn for these runs.
 */
export interface CompareSection {
  id: string; // the section's HTML id
  title: string; // shown when the section fails before it has its own
  needs: readonly Need[]; // what every run's model family must have (Capabilities)
  applies(c: CompareContext): true | string;
  draw(c: CompareContext, shared: SharedPasses): Promise<FigureOutput>;
}

const always = (): true => true;

/** Every figure a comparison can draw, one line each. */
export const COMPARE_SECTIONS: readonly CompareSection[] = [
  { id: 'loss-curves', title: 'Test loss per epoch', needs: [], applies: always, draw: (c) => curvesSection(c) },
  { id: 'reconstructions', title: 'Reconstructions of the same test digits', needs: [], applies: always, draw: async (_, s) => (await s.digits())[0] },
  { id: 'prior-samples', title: 'Samples from the prior', needs: ['continuousLatent'], applies: always, draw: async (_, s) => (await s.digits())[1] },
  { id: 'latent-scatter', title: 'Latent space of the test set', needs: ['continuousLatent'], applies: always, draw: async (_, s) => (await s.latents())[0] },
  { id: 'contours', title: 'Per-class contours', needs: ['continuousLatent', 'gaussianPosterior'], applies: always, draw: async (_, s) => (await s.latents())[1] },
  { id: 'beta-trends', title: 'The latent code against β', needs: ['continuousLatent'], applies: betaTrendsApply, draw: (c) => betaSection(c) },
  { id: 'runs', title: 'Run reports', needs: [], applies: always, draw: async (c) => linksSection(c) },
];

/** Whether a section is drawn for these runs: every run's family has what it needs, then its own check. */
export function sectionApplies(section: CompareSection, c: CompareContext): true | string {
  for (const [i, r] of c.runs.entries()) {
    const unmet = unmetNeed(familyOf(r.config.model), r.config.model, section.needs);
    if (unmet !== null) return `${c.labels[i] ?? r.info.name}: ${unmet}`;
  }
  return section.applies(c);
}

function betaTrendsApply(c: CompareContext): true | string {
  const betas = new Set(c.runs.filter((r) => r.hasLatents).map((r) => r.config.loss.beta));
  return betas.size >= 2 ? true : 'the runs with saved latents span fewer than two values of β';
}

/** The shared passes of one comparison, each computed at most once. */
export function sharedPasses(c: CompareContext): SharedPasses {
  let digits: ReturnType<typeof digitSections> | undefined;
  let latents: ReturnType<typeof latentSections> | undefined;
  return { digits: () => (digits ??= digitSections(c)), latents: () => (latents ??= latentSections(c)) };
}
