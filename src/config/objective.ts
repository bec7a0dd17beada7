import type { Objective } from './loss-schema.js';
import type { Config } from './schema.js';

type Loss = Pick<Config['loss'], 'beta' | 'reconstructionWeight'> & Partial<Pick<Config['loss'], 'objective' | 'samples' | 'warmup' | 'freeBits'>>;

/**
 * What sets each objective apart, one row a member: a new member of the enum does not compile until it has
 * its row, and the trainer, the fused step, the epoch's bookkeeping and every caption read it from here.
 */
export interface ObjectiveTraits {
  /**
   * The value is a function of every z sample's log weight (a log-mean-exp), not of the batch's mean recon
   * and KL: it needs the sampled step (never the one-sample or fused one), and the logged terms do not give it.
   */
  perSampleWeights: boolean;
  /** Whether k samples of it still estimate the ELBO itself (so a run with both weights 1 minimises the ELBO). */
  elboAt(samples: number): boolean;
  /** Its formula and name in captions; null: the weighted ELBO's, built from the weights. */
  formula(loss: Loss): string | null;
  name(loss: Loss): string | null;
}

export const OBJECTIVE_TRAITS = {
  elbo: { perSampleWeights: false, elboAt: () => true, formula: () => null, name: () => null },
  iwae: {
    perSampleWeights: true,
    elboAt: (samples) => samples === 1,
    formula: (loss) => `the IWAE bound, k = ${loss.samples ?? 1}`,
    name: (loss) => `IWAE bound, k = ${loss.samples ?? 1}${(loss.samples ?? 1) === 1 ? ' (the ELBO with a sampled KL)' : ''}`,
  },
} satisfies Record<Objective, ObjectiveTraits>;

const traitsOf = (loss: Loss): ObjectiveTraits => OBJECTIVE_TRAITS[loss.objective ?? 'elbo'];

/**
 * Whether the run minimised the ELBO itself (both weights 1, no warm-up, no floor), so its objective and
 * −ELBO are one curve.
 */
export function minimisesElbo(loss: Loss): boolean {
  if (!traitsOf(loss).elboAt(loss.samples ?? 1)) return false;
  if ((loss.warmup ?? null) !== null || (loss.freeBits ?? null) !== null) return false;
  return loss.beta === 1 && loss.reconstructionWeight === 1;
}

/** The warm-up factor as a formula: "min(1, e/10)" (e: epochs done) or "min(1, t/500)" (t: steps done). */
function rampText(warmup: NonNullable<Loss['warmup']>): string {
  return 'epochs' in warmup ? `min(1, e/${warmup.epochs})` : `min(1, t/${warmup.steps})`;
}

/**
 * The minimised objective as a formula: "recon + 4·KL", "0·recon + KL", "the IWAE bound, k = 5",
 * "recon + min(1, e/10)·Σ_d max(KL_d, 0.5)" (a warm-up over 10 epochs, free bits of 0.5 nats).
 */
export function objectiveFormula(loss: Loss): string {
  const own = traitsOf(loss).formula(loss);
  if (own !== null) return own;
  const term = (w: number, name: string) => (w === 1 ? name : `${w}·${name}`);
  const warmup = loss.warmup ?? null;
  const freeBits = loss.freeBits ?? null;
  const kl = freeBits === null ? 'KL' : `Σ_d max(KL_d, ${freeBits})`;
  const weighted = warmup === null ? term(loss.beta, kl) : `${term(loss.beta, rampText(warmup))}·${kl}`;
  const formula = `${term(loss.reconstructionWeight, 'recon')} + ${weighted}`;
  return warmup === null ? formula : `${formula} (${'epochs' in warmup ? 'e: epochs' : 't: steps'} done)`;
}

/** The warm-up and free bits in words, appended to the objective's name. */
function klScheduleText(loss: Loss): string {
  const warmup = loss.warmup ?? null;
  const freeBits = loss.freeBits ?? null;
  const parts: string[] = [];
  if (warmup !== null) {
    const over = 'epochs' in warmup ? `${warmup.epochs} epoch${warmup.epochs === 1 ? '' : 's'}` : `${warmup.steps} step${warmup.steps === 1 ? '' : 's'}`;
    parts.push(`KL warm-up (β from 0 to ${loss.beta} linearly over ${over})`);
  }
  if (freeBits !== null) parts.push(`free bits (the KL of each latent dimension floored at ${freeBits} nats)`);
  return parts.length === 0 ? '' : ` with ${parts.join(' and ')}`;
}

/**
 * What the run trained, in words a reader of the posts knows: the ELBO, a β-VAE, or one of the ablations
 * (a zero weight drops a term), with its KL warm-up and free bits. Every caption and summary row takes its
 * name from here, so a KL-only run is never called an ELBO.
 */
export function objectiveName(loss: Loss, sampledKl = false): string {
  const { beta, reconstructionWeight: rw } = loss;
  const k = loss.samples ?? 1;
  const own = traitsOf(loss).name(loss);
  if (own !== null) return own;
  // a model without a closed-form KL (two stochastic layers): the whole ELBO is sampled, and averaged over the k samples
  if (sampledKl) return `${objectiveName({ ...loss, samples: 1 })}, every KL term sampled${k > 1 ? `, averaged over ${k} samples` : ''}`;
  if (k > 1) return `${objectiveName({ ...loss, samples: 1 })}, recon averaged over ${k} samples (the KL in closed form)`;
  const schedule = klScheduleText(loss);
  if (rw === 0 && beta === 0) return 'no objective (both weights 0: nothing is trained)';
  if (rw === 0) return `KL only (reconstruction weight 0${beta === 1 ? '' : `, β = ${beta}`})${schedule}`;
  if (beta === 0) return `reconstruction only (β = 0${rw === 1 ? '' : `, reconstruction weight ${rw}`})`;
  if (rw === 1) return `${beta === 1 ? 'ELBO (β = 1)' : `β-VAE, β = ${beta}`}${schedule}`;
  return `weighted ELBO, ${objectiveFormula(loss)}`;
}
