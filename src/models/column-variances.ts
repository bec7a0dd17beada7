/** The variance over the rows (divided by count) of each column of [count, dim] row-major values, in float64. */
export function columnVariances(values: ArrayLike<number>, count: number, dim: number): number[] {
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let u = 0; u < dim; u++) mean[u]! += values[i * dim + u]!;
  for (let u = 0; u < dim; u++) mean[u]! /= count;
  const variance = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let u = 0; u < dim; u++) variance[u]! += (values[i * dim + u]! - mean[u]!) ** 2;
  return Array.from(variance, (v) => v / count);
}
