import { z } from 'zod';
import type { Config, StageSpec } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';
import { VaelabError } from '../errors.js';
import type { Stage } from './types.js';
import { familyOf } from '../models/families/index.js';
import { unmetNeed } from '../models/family.js';
import { lossCurvesStage } from './stages/loss-curves.js';
import { reconstructionsStage } from './stages/reconstructions.js';
import { priorSamplesStage } from './stages/prior-samples.js';
import { latentScatterStage } from './stages/latent-scatter.js';
import { tsneStage } from './stages/tsne.js';
import { manifoldStage } from './stages/manifold.js';
import { classManifoldsStage } from './stages/class-manifolds.js';
import { fixedClassGridStage } from './stages/fixed-class-grid.js';
import { contoursStage } from './stages/contours.js';
import { classMeanGridStage } from './stages/class-mean-grid.js';
import { interpolationsStage } from './stages/interpolations.js';
import { latentStatsStage } from './stages/latent-stats.js';
import { traversalsStage } from './stages/traversals.js';
import { exportsStage } from './stages/exports.js';
import { explorerStage } from './stages/explorer.js';

/** Every figure the report can draw, in page order: one line per stage. */
export const STAGES: readonly Stage[] = [
  lossCurvesStage,
  reconstructionsStage,
  priorSamplesStage,
  latentScatterStage,
  tsneStage,
  manifoldStage,
  classManifoldsStage,
  fixedClassGridStage,
  contoursStage,
  classMeanGridStage,
  interpolationsStage,
  traversalsStage,
  latentStatsStage,
  explorerStage,
  exportsStage,
];

/** Whether a stage can run for this run: the model family has what it needs, then the stage's own check. */
export function stageApplies(stage: Stage, config: Config): true | string {
  return unmetNeed(familyOf(config.model), config.model, stage.needs) ?? stage.applies(config);
}

/** The stages of the default list that this run's model does not allow, each with the reason (listed in the report). */
export function notDrawn(config: Config, registry: readonly Stage[] = STAGES): { type: string; reason: string }[] {
  return registry.flatMap((stage) => {
    if (!stage.inDefault(config)) return [];
    const applies = stageApplies(stage, config);
    return applies === true ? [] : [{ type: stage.type, reason: applies }];
  });
}

export interface ResolvedStage {
  id: string; // the section's HTML id: the type in kebab-case, numbered when a type repeats
  stage: Stage;
  options: Record<string, unknown>;
}

function kebab(type: string): string {
  return type.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/[^a-z0-9-]/g, '-');
}

function optionKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function optionProblems(where: string, stage: Stage, raw: Record<string, unknown>): string[] {
  const parsed = stage.options.safeParse(raw);
  if (parsed.success) return [];
  const keys = optionKeys(stage.options);
  return parsed.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const guess = didYouMean(key, keys);
        const known = keys.length > 0 ? `its options are ${keys.join(', ')}` : 'it takes no options';
        return `${where}: unknown option '${key}'${guess === null ? '' : ` (did you mean '${guess}'?)`}; ${known}`;
      });
    }
    const path = issue.path.map(String).join('.');
    return [`${where}${path === '' ? '' : `.${path}`}: ${issue.message}`];
  });
}

/**
 * The stages a report runs, with their options parsed by each stage's strict schema. 'default' takes
 * every stage whose inDefault fits the run; a list names them, as `type` or `{type, ...options}`.
 * Every problem is reported at once, each naming the list entry, the stage and the key.
 */
export function resolveStages(config: Config, specs: 'default' | StageSpec[] = config.report.stages, registry: readonly Stage[] = STAGES): ResolvedStage[] {
  const chosen: { stage: Stage; raw: Record<string, unknown>; where: string; explicit: boolean }[] = [];
  const problems: string[] = [];
  if (specs === 'default') {
    for (const stage of registry) if (stage.inDefault(config)) chosen.push({ stage, raw: {}, where: stage.type, explicit: false });
  } else {
    const types = registry.map((s) => s.type);
    specs.forEach((spec, i) => {
      const { type, ...raw } = typeof spec === 'string' ? { type: spec } : spec;
      const stage = registry.find((s) => s.type === type);
      if (stage === undefined) {
        const guess = didYouMean(type, types);
        problems.push(`report.stages[${i}]: unknown stage type '${type}'${guess === null ? '' : ` (did you mean '${guess}'?)`}; known types: ${types.join(', ')}`);
        return;
      }
      chosen.push({ stage, raw, where: `report.stages[${i}] (${type})`, explicit: true });
    });
  }
  const resolved: ResolvedStage[] = [];
  const seen = new Map<string, number>();
  for (const { stage, raw, where, explicit } of chosen) {
    const applies = stageApplies(stage, config);
    if (applies !== true && explicit) problems.push(`${where}: does not apply to this run: ${applies}`);
    const optionIssues = optionProblems(where, stage, raw);
    problems.push(...optionIssues);
    if (applies !== true || optionIssues.length > 0) continue;
    const n = (seen.get(stage.type) ?? 0) + 1;
    seen.set(stage.type, n);
    resolved.push({ id: n === 1 ? kebab(stage.type) : `${kebab(stage.type)}-${n}`, stage, options: stage.options.parse(raw) });
  }
  if (problems.length > 0) {
    const n = problems.length;
    throw new VaelabError(`invalid report.stages (${n} problem${n === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return resolved;
}
