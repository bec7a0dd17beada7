import { strongestPair } from '../../analysis/posterior-stats.js';
import type { ReportContext } from '../../types.js';

/**
 * The latent plane every 2-d figure of a run uses (manifolds, class grids, contours, explorer): the two
 * dimensions with the largest average KL over the test set, from the same per-dimension KL the
 * latentStats figure shows, so all figures of one report show the same plane.
 */
export function latentPlane(ctx: ReportContext): [number, number] {
  return strongestPair(ctx.latentUsage().klPerDim);
}
