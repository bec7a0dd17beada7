/*
 * The native addon's entry points with valid arguments, one small call each (native/src names every
 * argument as here), and the hostile values each kind of argument must be refused with.
 */

/** What a call must do: return, throw an Error whose message names one of `names` ('' the argument count), or at least not crash. */
export type Expect = { kind: 'returns' } | { kind: 'throws'; names: string[] } | { kind: 'survives' };

export interface Case {
  fn: string;
  label: string;
  args: unknown[];
  expect: Expect;
}

type Arg =
  | { kind: 'floats'; name: string; value: Float32Array; nullable?: boolean; sizesCall?: boolean } // sizesCall: its length sets the others'
  | { kind: 'index'; name: string; value: Float32Array; size: number } // resize sources: whole numbers in [0, size)
  | { kind: 'whole'; name: string; value: number; min: number; capped?: boolean } // capped: a bound below 2^31 - 1 too
  | { kind: 'bool'; name: string; value: boolean }
  | { kind: 'scalar'; name: string; value: number }
  | { kind: 'wholes'; name: string; value: number[]; also?: string[] } // also: others a changed count is blamed on
  | { kind: 'scalars'; name: string; value: number[] }
  | { kind: 'arrays'; name: string; value: Float32Array[]; also: string[] };

const f = (name: string, n: number, more: { nullable?: boolean; sizesCall?: boolean } = {}): Arg => ({ kind: 'floats', name, value: new Float32Array(n).fill(0.5), ...more });
const w = (name: string, value: number, min = 1): Arg => ({ kind: 'whole', name, value, min });
const s = (name: string, value: number): Arg => ({ kind: 'scalar', name, value });
const b = (name: string, value: boolean): Arg => ({ kind: 'bool', name, value });
const index = (name: string, values: number[], size: number): Arg => ({ kind: 'index', name, value: Float32Array.from(values), size });

const POOL = ['batch', 'inHeight', 'inWidth', 'channels', 'outHeight', 'outWidth', 'filterHeight', 'filterWidth', 'strideHeight', 'strideWidth', 'padTop', 'padLeft'];
const RESIZE = ['batch', 'inHeight', 'inWidth', 'channels', 'outHeight', 'outWidth'];
const GEOMETRY = ['batch', 'inHeight', 'inWidth', 'inChannels', 'outHeight', 'outWidth', 'outChannels', 'filterHeight', 'filterWidth', 'strideHeight', 'strideWidth', 'dilationHeight', 'dilationWidth', 'padTop', 'padLeft'];

/** (x, filter, y, ...geometry) for one convolution: b, h, w, ci, oh, ow, co, fh, fw with stride and dilation 1. */
function conv(fn: string, variant: string, [bt, h, wd, ci, oh, ow, co, fh, fw]: number[], pad: [number, number]) {
  const dims = [bt!, h!, wd!, ci!, oh!, ow!, co!, fh!, fw!, 1, 1, 1, 1, ...pad];
  return { fn, variant: `(${variant}) `, args: [f('x', bt! * h! * wd! * ci!), f('filter', fh! * fw! * ci! * co!), f('y', bt! * oh! * ow! * co!), ...dims.map((v, i) => w(GEOMETRY[i]!, v, i < 13 ? 1 : 0))] };
}

const CONVS = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'].flatMap((fn) => [
  conv(fn, 'oneDNN, tfjs layouts', [1, 4, 4, 2, 4, 4, 3, 3, 3], [1, 1]),
  conv(fn, "oneDNN, its own layouts and buffers", [1, 4, 4, 8, 4, 4, 8, 3, 3], [1, 1]),
  conv(fn, 'one output channel', [2, 4, 4, 3, 4, 4, 1, 3, 3], [1, 1]),
  conv(fn, 'one input channel', [2, 4, 4, 1, 2, 2, 4, 3, 3], [0, 0]),
]);

// mlpElbo: a CVAE with batch 2, 4 pixels, 2 classes, latent 2 and one hidden layer of 3
const MLP_SIZES = [(4 + 2) * 3, 3, 3 * 2, 2, 3 * 2, 2, (2 + 2) * 3, 3, 3 * 4, 4];
const mlpArrays = () => MLP_SIZES.map((n) => new Float32Array(n).fill(0.1));

export const ENTRY_POINTS: { fn: string; variant?: string; args: Arg[] }[] = [
  { fn: 'sgemm', args: [b('transposeA', false), b('transposeB', true), w('batch', 2), w('m', 2), w('n', 3), w('k', 4), f('a', 16), w('aStride', 8, 0), f('b', 24), w('bStride', 12, 0), f('c', 12)] },
  { fn: 'biasActivation', args: [f('c', 6), w('rows', 2), w('cols', 3), f('bias', 3, { nullable: true }), b('relu', true)] },
  { fn: 'setThreads', args: [{ kind: 'whole', name: 'threads', value: 1, min: 1, capped: true }] }, // at most 1024 or 4 a core
  { fn: 'flushDenormals', args: [b('on', true)] },
  { fn: 'threads', args: [] },
  { fn: 'dnnlInfo', args: [] },
  ...CONVS,
  { fn: 'sumRows', args: [f('x', 6), w('rows', 2), w('cols', 3), f('out', 3), s('scale', 0.5)] },
  { fn: 'adamStep', args: [f('value', 4, { sizesCall: true }), f('m', 4), f('v', 4), f('g', 4), s('learningRate', 0.1), s('beta1', 0.9), s('beta2', 0.999), s('epsilon', 1e-8), s('oneMinusAccBeta1', 0.1), s('oneMinusAccBeta2', 0.001)] },
  { fn: 'iwaeAdamStep', args: [f('value', 4, { sizesCall: true }), f('m', 4), f('v', 4), f('g', 4), s('alpha', 0.001), s('beta1', 0.9), s('beta2', 0.999), s('epsilon', 1e-4)] },
  { fn: 'batchNorm', args: [f('x', 6), w('rows', 2), w('cols', 3), f('mean', 3), f('variance', 3), f('offset', 3, { nullable: true }), f('scale', 3, { nullable: true }), s('epsilon', 1e-3), f('y', 6)] },
  { fn: 'maxPoolGrad', variant: '(tiled) ', args: [f('x', 32), f('dy', 8), f('dx', 32), ...[1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 0, 0].map((v, i) => w(POOL[i]!, v, i < 10 ? 1 : 0))] },
  { fn: 'maxPoolGrad', variant: '(overlapping) ', args: [f('x', 32), f('dy', 32), f('dx', 32), ...[1, 4, 4, 2, 4, 4, 3, 3, 1, 1, 1, 1].map((v, i) => w(POOL[i]!, v, i < 10 ? 1 : 0))] },
  { fn: 'resizeNearestGrad', args: [f('dy', 48), index('rows', [0, 0, 1, 1], 2), index('cols', [0, 0, 1, 1, 2, 2], 3), f('dx', 12), ...[1, 2, 3, 2, 4, 6].map((v, i) => w(RESIZE[i]!, v))] },
  { fn: 'resizeNearest', args: [f('x', 12), index('rows', [0, 0, 1, 1], 2), index('cols', [0, 0, 1, 1, 2, 2], 3), f('y', 48), ...[1, 2, 3, 2, 4, 6].map((v, i) => w(RESIZE[i]!, v))] },
  { fn: 'bernoulliNll', args: [f('logits', 6), f('x', 3), w('rows', 2, 0), w('cols', 3), w('samples', 2), f('out', 2)] },
  { fn: 'bernoulliNllGrad', args: [f('logits', 6), f('x', 3), f('dy', 2), w('rows', 2, 0), w('cols', 3), w('samples', 2), f('dlogits', 6)] },
  { fn: 'tanh', args: [f('x', 3), w('n', 3, 0), f('y', 3)] },
  { fn: 'batchNormTrain', args: [f('x', 6), w('rows', 2), w('cols', 3), f('scale', 3), f('offset', 3), s('epsilon', 1e-3), f('y', 6), f('mean', 3), f('variance', 3)] },
  { fn: 'batchNormTrainGrad', args: [f('dy', 6), f('x', 6), w('rows', 2), w('cols', 3), f('scale', 3), f('mean', 3), f('variance', 3), s('epsilon', 1e-3), f('dx', 6), f('dscale', 3), f('doffset', 3)] },
  { fn: 'reluGrad', args: [f('dy', 3), f('x', 3), w('n', 3, 0), f('dx', 3)] },
  { fn: 'addRows', args: [f('a', 6), w('rows', 2), w('cols', 3), f('b', 3), f('out', 6)] },
  { fn: 'biasReluGrad', args: [f('dy', 6), f('y', 6), w('rows', 2), w('cols', 3), f('dx', 6), f('dbias', 3)] },
  {
    fn: 'mlpElbo',
    args: [
      f('x', 8), f('y', 4, { nullable: true }), f('eps', 4),
      { kind: 'arrays', name: 'params', value: mlpArrays(), also: ['grads'] },
      { kind: 'arrays', name: 'grads', value: mlpArrays(), also: ['params'] },
      f('terms', 3),
      { kind: 'wholes', name: 'dims', value: [2, 4, 2, 2] },
      { kind: 'wholes', name: 'hidden', value: [3], also: ['params'] },
      w('activation', 0, 0),
      { kind: 'scalars', name: 'scalars', value: [1, 1, NaN, 1] },
    ],
  },
];

type Hostile = { label: string; value: unknown; expect: Expect };

const NOT_NUMBERS: [string, unknown][] = [["'2'", '2'], ['null', null], ['undefined', undefined], ['true', true], ['2n', 2n], ['{}', {}], ['[]', []], ['new Number(2)', new Number(2)]];
const BAD_WHOLES: [string, number][] = [
  ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['-1', -1], ['-2^31', -(2 ** 31)], ['2^31', 2 ** 31], ['2^32', 2 ** 32],
  ['2^53 + 2', 2 ** 53 + 2], ['2^63', 2 ** 63], ['2^64', 2 ** 64], ['1e300', 1e300], ['-1e300', -1e300], ['5e-324', 5e-324],
];
const NOT_BOOLS: [string, unknown][] = [['0', 0], ['1', 1], ["'true'", 'true'], ['null', null], ['undefined', undefined], ['{}', {}], ['NaN', NaN]];
const SPECIAL_NUMBERS: [string, number][] = [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['1e300', 1e300], ['-1e300', -1e300]];

function notFloat32Arrays(n: number, nullable: boolean): [string, unknown][] {
  const out: [string, unknown][] = [
    ['a Float64Array', new Float64Array(n)], ['an Int32Array', new Int32Array(n)], ['a Uint8Array of its bytes', new Uint8Array(4 * n)],
    ['an Array', new Array<number>(n).fill(0)], ['an ArrayBuffer', new ArrayBuffer(4 * n)], ['a DataView', new DataView(new ArrayBuffer(4 * n))],
    ['0', 0], ["'x'", 'x'], ['undefined', undefined], ['{}', {}],
  ];
  return nullable ? out : [...out, ['null', null]];
}

/** The values `arg` must be refused with (or, for a float scalar's NaN and Infinity, survive: they are values of the computation, as in tfjs). */
export function hostile(arg: Arg): Hostile[] {
  const refuse = (label: string, value: unknown, names = [arg.name]): Hostile => ({ label, value, expect: { kind: 'throws', names } });
  switch (arg.kind) {
    case 'whole': {
      const edges: [string, number][] = [[`${arg.value} + 0.5`, arg.value + 0.5]];
      if (arg.min > 0) edges.push([String(arg.min - 1), arg.min - 1]);
      if (arg.capped === true) edges.push(['100000', 100000], ['2^31 - 1', 2 ** 31 - 1]); // over the cap on any machine under 25,000 cores
      return [...BAD_WHOLES, ...edges, ...NOT_NUMBERS].map(([label, v]) => refuse(label, v));
    }
    case 'bool':
      return NOT_BOOLS.map(([label, v]) => refuse(label, v));
    case 'scalar':
      return [...NOT_NUMBERS.map(([label, v]) => refuse(label, v)), ...SPECIAL_NUMBERS.map(([label, v]) => ({ label, value: v, expect: { kind: 'survives' } as Expect }))];
    case 'floats': {
      const n = arg.value.length;
      const out = notFloat32Arrays(n, arg.nullable === true).map(([label, v]) => refuse(label, v));
      return n > 0 && arg.sizesCall !== true ? [...out, refuse(`a Float32Array of ${n - 1}`, new Float32Array(n - 1))] : out;
    }
    case 'index': {
      const n = arg.value.length;
      const at = (v: number) => Float32Array.from(arg.value, (x, i) => (i === 1 ? v : x));
      const values: [string, number][] = [['NaN', NaN], ['-1', -1], [String(arg.size), arg.size], ['0.5', 0.5], ['Infinity', Infinity], ['-Infinity', -Infinity], ['1e30', 1e30], ['-1e30', -1e30]];
      return [...notFloat32Arrays(n, false).map(([label, v]) => refuse(label, v)), refuse(`a Float32Array of ${n - 1}`, new Float32Array(n - 1)), ...values.map(([label, v]) => refuse(`[_, ${label}, ...]`, at(v)))];
    }
    case 'wholes': {
      const types: [string, unknown][] = [['4', 4], ['null', null], ['a Float32Array', Float32Array.from(arg.value)], ["'[2, 4]'", '[2, 4]'], ['{ length: 1 }', { length: 1 }]];
      const elements = [...BAD_WHOLES, ['0', 0] as [string, number], ...NOT_NUMBERS].map(([label, v]) => refuse(`[${label}, ...]`, [v, ...arg.value.slice(1)]));
      const counts = [refuse('one more', [...arg.value, 1], [arg.name, ...(arg.also ?? [])]), refuse('one fewer', arg.value.slice(0, -1), [arg.name, ...(arg.also ?? [])])];
      return [...types.map(([label, v]) => refuse(label, v)), ...elements, ...counts];
    }
    case 'scalars': {
      const types: [string, unknown][] = [['4', 4], ['null', null], ['a Float64Array', Float64Array.from(arg.value)], ["'x'", 'x']];
      const elements: [string, unknown][] = [["'1'", '1'], ['null', null], ['undefined', undefined], ['1n', 1n]];
      return [
        ...types.map(([label, v]) => refuse(label, v)),
        ...elements.map(([label, v]) => refuse(`[${label}, ...]`, [v, ...arg.value.slice(1)])),
        refuse('one more', [...arg.value, 1]),
        refuse('one fewer', arg.value.slice(0, -1)),
      ];
    }
    case 'arrays': {
      const first = arg.value[0]!;
      const rest = arg.value.slice(1);
      const types: [string, unknown][] = [['null', null], ['a Float32Array', first], ["'x'", 'x'], ['{}', {}]];
      const elements: [string, unknown][] = [
        ...notFloat32Arrays(first.length, false),
        [`a Float32Array of ${first.length - 1}`, new Float32Array(first.length - 1)],
        [`a Float32Array of ${first.length + 1}`, new Float32Array(first.length + 1)],
      ];
      const counts = [arg.value.slice(0, -1), [...arg.value, first]].map((v, i) => refuse(i === 0 ? 'one fewer' : 'one more', v, [arg.name, ...arg.also]));
      return [...types.map(([label, v]) => refuse(label, v)), ...elements.map(([label, v]) => refuse(`[${label}, ...]`, [v, ...rest])), ...counts];
    }
  }
}

const big = (n: number) => new Float32Array(n);
const overflow = (fn: string, label: string, args: unknown[], names: string[]): Case => ({ fn, label, args, expect: { kind: 'throws', names } });
// 2^30 x 2^17 x 2^17 = 2^64: in int64 the product wraps around to 0, and a 16-value array held "enough"
const WRAP = [2 ** 30, 2 ** 17, 2 ** 17];

/** Dimensions whose products pass int32, uint32 and int64 (wrapping to 0 or to a negative number): every array is 16 values or a few 2^17. */
export const OVERFLOWS: Case[] = [
  overflow('sgemm', 'c = 2^30 x 2^17 x 2^17 (wraps to 0)', [false, false, ...WRAP, 1, big(2 ** 17), 0, big(2 ** 17), 0, big(16)], ['c']),
  overflow('sgemm', 'c = 2^29 x 2^17 x 2^17 (wraps to -2^63)', [false, false, 2 ** 29, 2 ** 17, 2 ** 17, 1, big(2 ** 17), 0, big(2 ** 17), 0, big(16)], ['c']),
  overflow('sgemm', 'c = 2^17 x 2^17 (over uint32)', [false, false, 1, 2 ** 17, 2 ** 17, 1, big(2 ** 17), 0, big(2 ** 17), 0, big(16)], ['c']),
  ...['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'].flatMap((fn) =>
    [
      ['one output channel', 1, 1],
      ['oneDNN, or one input channel for the filter gradient', 1, 2],
      ['oneDNN, its own layouts', 8, 8],
    ].flatMap(([path, ci, co]) => [
      // x [2^30, 2^17, 2^17, ci] and y [2^30, 2^17, 2^17, co] wrap to 0 (2^29 images with 8 channels)
      overflow(fn, `(${path}) x and y wrap to 0`, [big(16), big(64), big(16), ci === 8 ? 2 ** 29 : 2 ** 30, 2 ** 17, 2 ** 17, ci, 2 ** 17, 2 ** 17, co, 1, 1, 1, 1, 1, 1, 0, 0], ['x']),
      overflow(fn, `(${path}) x over uint32`, [big(16), big(64), big(16), 1, 2 ** 16, 2 ** 16, ci, 2 ** 16, 2 ** 16, co, 1, 1, 1, 1, 1, 1, 0, 0], ['x']),
    ]),
  ),
  overflow('maxPoolGrad', '(tiled) x wraps to 0', [big(16), big(16), big(16), ...WRAP, 1, 2 ** 17, 2 ** 17, 1, 1, 1, 1, 0, 0], ['x']),
  overflow('maxPoolGrad', '(overlapping) x wraps to 0', [big(16), big(16), big(16), ...WRAP, 1, 2 ** 17, 2 ** 17, 2, 2, 1, 1, 0, 0], ['x']),
  overflow('resizeNearest', 'x and y wrap to 0', [big(16), big(2 ** 17), big(2 ** 17), big(16), ...WRAP, 1, 2 ** 17, 2 ** 17], ['x']),
  overflow('resizeNearestGrad', 'dy and dx wrap to 0', [big(16), big(2 ** 17), big(2 ** 17), big(16), ...WRAP, 1, 2 ** 17, 2 ** 17], ['dy']),
  // [rows, cols] kernels: (2^31 - 1)^2 is under 2^62, so the product fits in int64 but no array holds it
  ...ENTRY_POINTS.filter((e) => e.args.some((a) => a.name === 'rows' && a.kind === 'whole') && e.args.some((a) => a.name === 'cols')).flatMap((e) =>
    [2 ** 31 - 1, 2 ** 16].map((d) =>
      overflow(e.fn, `${e.variant ?? ''}rows = cols = ${d} (over uint32)`, e.args.map((a) => (a.kind === 'whole' && (a.name === 'rows' || a.name === 'cols') ? d : a.value)), [...e.args.filter((a) => a.kind === 'floats').map((a) => a.name), 'rows']),
    ),
  ),
  overflow('tanh', 'n = 2^31 - 1', [big(16), 2 ** 31 - 1, big(16)], ['x']),
  overflow('mlpElbo', 'dims [2^31 - 1, 2^31 - 1, 2, 2]', ENTRY_POINTS.find((e) => e.fn === 'mlpElbo')!.args.map((a) => (a.name === 'dims' ? [2 ** 31 - 1, 2 ** 31 - 1, 2, 2] : a.value)), ['x']),
];

export const WRAP_KERNELS = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'maxPoolGrad', 'resizeNearest', 'resizeNearestGrad'] as const;

/**
 * A geometry of 2^eb images of 2^eh x 2^ew cells and 2^ec channels (eb + eh + ew + ec >= 64, so every
 * image-sized array wraps around int64), with output cells as many as input cells: every array is 16
 * values (the index arrays of resize 2^eh and 2^ew), and the only thing wrong is the wrapped sizes.
 */
export function wrapAround(fn: (typeof WRAP_KERNELS)[number], [eb, eh, ew, ec]: [number, number, number, number]): Case {
  const [bt, h, wd, c] = [2 ** eb, 2 ** eh, 2 ** ew, 2 ** ec];
  const label = `2^${eb} images of 2^${eh} x 2^${ew} cells, 2^${ec} channels`;
  const arrays = [big(16), big(64), big(16)];
  const f = eb % 2 === 0 ? 1 : 2; // a 1 x 1 pooling tiles the input, 2 x 2 windows with stride 1 overlap
  if (fn === 'maxPoolGrad') return overflow(fn, label, [...arrays, bt, h, wd, c, h, wd, f, f, 1, 1, 0, 0], ['x']);
  if (fn === 'resizeNearest' || fn === 'resizeNearestGrad') return overflow(fn, label, [big(16), big(h), big(wd), big(16), bt, h, wd, c, h, wd], ['x', 'dy']);
  // a 1 x 1 filter between 2^ec <= 8 channels and one output channel or as many as in
  return overflow(fn, label, [...arrays, bt, h, wd, c, h, wd, f === 1 ? 1 : c, 1, 1, 1, 1, 1, 1, 0, 0], ['x']);
}
