import type { Config } from './schema.js';

type Loss = Pick<Config['loss'], 'beta' | 'reconstructionWeight'> & Partial<Pick<Config['loss'], 'objective' | 'samples'>>;

/** Whether the run minimised the ELBO itself (both weights 1), so its objective and −ELBO are one curve. */
export function minimisesElbo(loss: Loss): boolean {
  if (loss.objective === 'iwae' && (loss.samples ?? 1) > 1) return false;
  return loss.beta === 1 && loss.reconstructionWeight === 1;
}

/** The minimised objective as a formula: "recon + 4·KL", "0·recon + KL", "the IWAE bound, k = 5". */
export function objectiveFormula(loss: Loss): string {
  if (loss.objective === 'iwae') return `the IWAE bound, k = ${loss.samples ?? 1}`;
  const term = (w: number, name: string) => (w === 1 ? name : `${w}·${name}`);
  return `${term(loss.reconstructionWeight, 'recon')} + ${term(loss.beta, 'KL')}`;
}

/**
 * What the run trained, in words a reader of the posts knows: the ELBO, a β-VAE, or one of the ablations
 * (a zero weight drops a term). Every caption and summary row takes its name from here, so a KL-only run
 * is never called an ELBO.
 */
export function objectiveName(loss: Loss): string {
  const { beta, reconstructionWeight: rw } = loss;
  const k = loss.samples ?? 1;
  if (loss.objective === 'iwae') return `IWAE bound, k = ${k}${k === 1 ? ' (the ELBO with a sampled KL)' : ''}`;
  if (k > 1) return `${objectiveName({ beta, reconstructionWeight: rw })}, recon averaged over ${k} samples`;
  if (rw === 0 && beta === 0) return 'no objective (both weights 0: nothing is trained)';
  if (rw === 0) return `KL only (reconstruction weight 0${beta === 1 ? '' : `, β = ${beta}`})`;
  if (beta === 0) return `reconstruction only (β = 0${rw === 1 ? '' : `, reconstruction weight ${rw}`})`;
  if (rw === 1) return beta === 1 ? 'ELBO (β = 1)' : `β-VAE, β = ${beta}`;
  return `weighted ELBO, ${objectiveFormula(loss)}`;
}
