import { describe, expect, it } from 'vitest';
import { progressBars, redraw } from '../../src/cli/progress-bars.js';

describe("a queued sweep's progress", () => {
  it('draws one bar per state, as long as its share of the points, with the count', () => {
    const bars = progressBars({ waiting: 2, active: 1, done: 1, failed: 0 }, 8);
    expect(bars).toEqual(['waiting ████░░░░ 2/4', 'active  ██░░░░░░ 1/4', 'done    ██░░░░░░ 1/4', 'failed  ░░░░░░░░ 0/4']);
    expect(progressBars({ waiting: 0, active: 0, done: 12, failed: 0 }, 4)[2]).toBe('done    ████ 12/12');
    expect(progressBars({ waiting: 0, active: 0, done: 0, failed: 0 }, 4)[0]).toBe('waiting ░░░░ 0/0'); // no points yet: no division by 0
  });

  it('redraws in place: up over the previous bars, each line cleared', () => {
    expect(redraw(['a', 'b'], 0)).toBe('\x1b[2Ka\n\x1b[2Kb\n');
    expect(redraw(['a', 'b'], 2)).toBe('\x1b[2F\x1b[2Ka\n\x1b[2Kb\n');
  });
});
