/** The small number and name formats every page shares, so a value reads the same in each figure and table. */

/** Two decimals with a true minus sign, and no '-0.00'. */
export const fmt = (v: number) => (Math.abs(v) < 0.005 ? '0.00' : v.toFixed(2).replace('-', '−'));

/** z_i as a subscripted axis name, 1-based like the captions (z₁, z₂, ...). */
export function zName(dim: number): string {
  const sub = String(dim + 1).replace(/\d/g, (c) => String.fromCharCode(0x2080 + Number(c)));
  return `z${sub}`;
}

/** 95 s -> "1 min 35 s"; 4000 s -> "1 h 7 min". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${seconds < 10 ? seconds.toFixed(1) : s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** A share in [0, 1] as a percentage with one decimal (accuracies, class shares). */
export const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
