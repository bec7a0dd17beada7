import type { TopLevelSpec } from 'vega-lite';

/** The legend above the panels; the comparison's holds long run labels in columns. */
interface Legend {
  title: null;
  orient: 'top';
  labelLimit?: number;
  columns?: number;
  symbolOpacity?: number;
  symbolStrokeWidth?: number;
}

export interface LossPanels {
  values: { epoch: number; term: string; value: number }[]; // plus the field `colour` encodes
  terms: readonly string[]; // panel order, left to right
  colour: { field: string; scale: { domain: string[]; range: string[] }; legend: Legend }; // one line per value of `field`
  maxEpoch: number;
  width: number; // of each panel, pixels
  height: number;
  pointSize: number;
}

/** The epoch axis every per-epoch chart shares; one epoch alone still gets an axis around it. */
export function epochAxis(maxEpoch: number) {
  return { field: 'epoch', type: 'quantitative', scale: { domain: maxEpoch === 1 ? [0, 2] : [1, maxEpoch], nice: false, padding: 8 }, axis: { title: 'epoch', tickMinStep: 1, format: 'd' } } as const;
}

/**
 * Loss terms per epoch in nats per image, one panel per term, each with its own y scale (KL is a few nats
 * where −ELBO is a hundred): the run report's loss curves and the comparison's test curves.
 */
export function lossPanelsSpec(p: LossPanels): Extract<TopLevelSpec, { facet: unknown }> {
  return {
    data: { values: p.values },
    facet: { column: { field: 'term', type: 'nominal', sort: [...p.terms], title: null, header: { labelFontWeight: 600 } } },
    spec: {
      width: p.width,
      height: p.height,
      layer: [{ mark: { type: 'line', strokeWidth: 2 } }, { mark: { type: 'point', filled: true, size: p.pointSize } }],
      encoding: {
        x: epochAxis(p.maxEpoch),
        y: { field: 'value', type: 'quantitative', scale: { zero: false, padding: 8 }, axis: { title: 'nats per image' } },
        color: { field: p.colour.field, type: 'nominal', scale: p.colour.scale, legend: p.colour.legend },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
