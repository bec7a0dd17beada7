import { describe, expect, it } from 'vitest';
import { renameBoundSum } from '../../src/config/upgrade.js';

describe('checkpoints of older vaelab versions', () => {
  it("an IWAE epoch's summed bound, saved as `bound`, resumes as the minimised objective's sum `loss`", () => {
    const old: Record<string, unknown> = { recon: 10, kl: 2, count: 4, seconds: 1, bound: 11.5 };
    renameBoundSum(old);
    expect(old).toEqual({ recon: 10, kl: 2, count: 4, seconds: 1, loss: 11.5 });
    const current: Record<string, unknown> = { recon: 10, kl: 2, count: 4, seconds: 1, loss: 3 };
    renameBoundSum(current);
    expect(current).toEqual({ recon: 10, kl: 2, count: 4, seconds: 1, loss: 3 });
  });
});
