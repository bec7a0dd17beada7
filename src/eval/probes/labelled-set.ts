/** A split for a probe: n rows of d features (row-major) and one integer class label per row. */
export interface LabelledSet {
  x: Float32Array;
  labels: Uint8Array | Int32Array;
  n: number;
}

/** Throws a RangeError unless value is an integer of at least min; name says which argument it is. */
export function checkCount(value: number, min: number, name: string): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`expected ${name} to be an integer >= ${min}, found ${value}`);
}

/** Throws a RangeError unless labels holds n values in [0, classes). */
export function checkLabels(labels: ArrayLike<number>, n: number, classes: number, name: string): void {
  if (labels.length !== n) throw new RangeError(`expected ${n} ${name}, found ${labels.length}`);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!(l >= 0 && l < classes)) throw new RangeError(`expected ${name}[${i}] in 0..${classes - 1}, found ${l}`);
  }
}

/** Throws a RangeError naming the set unless it holds n x d features and n labels in [0, classes). */
export function checkLabelledSet(set: LabelledSet, d: number, classes: number, name: string): void {
  checkCount(set.n, 1, `${name}.n`);
  if (set.x.length !== set.n * d) {
    throw new RangeError(`expected ${name}.x to hold ${set.n} x ${d} = ${set.n * d} features, found ${set.x.length}`);
  }
  checkLabels(set.labels, set.n, classes, `${name}.labels`);
}
