import type { ClassGaussian } from './class-gaussians.js';

/**
 * Per-class Gaussians by the latent-size study's recipe: average, over a class's images, the encoder's
 * estimates themselves (the posterior means, and the posterior standard deviations per axis) and draw
 * N(mean μ, diag(mean σ)²), an axis-aligned ellipse. It shows how sure the encoder is about one typical
 * image of the class; it leaves out how the class's codes scatter, which the moment-matched Gaussians of
 * class-gaussians.ts add. The report draws both and names each.
 */
export function averagedGaussians(
  mu: Float32Array,
  logVar: Float32Array,
  labels: Uint8Array,
  count: number,
  dim: number,
  dims: [number, number],
  numClasses = 10,
): ClassGaussian[] {
  if (mu.length !== count * dim || logVar.length !== count * dim) {
    throw new RangeError(`averagedGaussians: mu and logVar need ${count} x ${dim} values, got ${mu.length} and ${logVar.length}`);
  }
  for (const d of dims) if (!Number.isInteger(d) || d < 0 || d >= dim) throw new RangeError(`averagedGaussians: dims ${d} is outside 0..${dim - 1}`);
  const members = new Float64Array(numClasses);
  const sums = new Float64Array(numClasses * 4); // mean x, mean y, sd x, sd y
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    if (label >= numClasses) throw new RangeError(`averagedGaussians: label ${label} at ${i} is not below numClasses ${numClasses}`);
    members[label]! += 1;
    dims.forEach((d, k) => {
      sums[label * 4 + k]! += mu[i * dim + d]!;
      sums[label * 4 + 2 + k]! += Math.exp(0.5 * logVar[i * dim + d]!);
    });
  }
  const out: ClassGaussian[] = [];
  for (let label = 0; label < numClasses; label++) {
    const n = members[label]!;
    if (n === 0) continue;
    const [mx, my, sx, sy] = [0, 1, 2, 3].map((k) => sums[label * 4 + k]! / n) as [number, number, number, number];
    out.push({ label, mean: [mx, my], cov: [[sx * sx, 0], [0, sy * sy]], count: n });
  }
  return out;
}
