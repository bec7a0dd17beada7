import type { TopLevelSpec } from 'vega-lite';
import { epochAxis } from './loss-panels.js';
import { SPLIT_COLOURS } from './palette.js';

type Row = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];
type Panel = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];

/** Neither split's colour: a weight is the objective's, not a measurement on train or test. */
const WEIGHT_COLOUR = '#3a4150';

/** One panel: per-epoch values, per split (train and test lines) or not (the KL weight, one line). */
export interface ObjectivePanel {
  title: string;
  values: { epoch: number; split?: 'train' | 'test'; value: number }[];
  yTitle: string; // short: a title longer than the panel pushes the panel's own title up
  yDomain?: [number, number]; // a fixed scale (0..beta, 0..latentDim); else fitted like the loss panels
}

/**
 * What a run with a KL warm-up or free bits minimised, as a row of panels under the loss curves: the
 * objective, the floored KL, the KL weight, the dimensions under the floor. Titled like the loss panels'
 * headers, so the two rows read as one figure.
 */
export function objectivePanelsSpec(panels: readonly ObjectivePanel[], p: { maxEpoch: number; width: number; height: number }): Row {
  const marks = [{ mark: { type: 'line', strokeWidth: 2 } }, { mark: { type: 'point', filled: true, size: 36 } }] as const;
  const views: Panel[] = panels.map((panel) => ({
    title: { text: panel.title, anchor: 'middle', fontSize: 12 },
    data: { values: panel.values },
    width: p.width,
    height: p.height,
    layer: [...marks],
    encoding: {
      x: epochAxis(p.maxEpoch),
      y: { field: 'value', type: 'quantitative', scale: panel.yDomain === undefined ? { zero: false, padding: 8 } : { domain: panel.yDomain, nice: false, padding: 8 }, axis: { title: panel.yTitle } },
      color: panel.values.some((v) => v.split !== undefined)
        ? { field: 'split', type: 'nominal', scale: { domain: ['train', 'test'], range: [SPLIT_COLOURS.train, SPLIT_COLOURS.test] }, legend: { title: null, orient: 'top' } }
        : { value: WEIGHT_COLOUR },
    },
  }));
  return { hconcat: views };
}
