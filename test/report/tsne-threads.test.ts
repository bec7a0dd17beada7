import { afterEach, describe, expect, it, vi } from 'vitest';
import { whileItPays, type SecondShare } from '../../src/report/analysis/tsne-threads.js';

/** A share that counts its calls and answers `z`. */
function counting(z: number): SecondShare & { begins: number; closed: boolean } {
  const share = {
    begins: 0,
    closed: false,
    begin: () => void share.begins++,
    repel: () => {},
    finish: () => z,
    close: async () => void (share.closed = true),
  };
  return share;
}

/** process.cpuUsage as if the process used `parallelism` CPU seconds per wall second. */
function fakeCpu(parallelism: number): void {
  vi.spyOn(process, 'cpuUsage').mockImplementation((previous?: NodeJS.CpuUsage) => {
    const micros = performance.now() * 1000 * parallelism;
    return previous === undefined ? { user: micros, system: 0 } : { user: micros - previous.user, system: 0 };
  });
}

async function steps(share: SecondShare, count: number): Promise<number[]> {
  const answers: number[] = [];
  for (let k = 0; k < count; k++) {
    share.begin();
    share.repel({ fromGroup: 0, toGroup: 1 });
    const until = performance.now() + 0.2; // some wall time per step, so the CPU/wall ratio is defined
    while (performance.now() < until);
    answers.push(share.finish());
  }
  return answers;
}

describe('the helper thread stays only while it pays', () => {
  afterEach(() => vi.restoreAllMocks());

  it('keeps the helper while the process gets two cores', async () => {
    fakeCpu(1.9);
    const [helper, inline] = [counting(1), counting(2)];
    const share = whileItPays(helper, inline);
    expect(new Set(await steps(share, 200))).toEqual(new Set([1]));
    await share.close();
    expect(helper.closed).toBe(true);
  });

  it('goes inline after the first window in which both threads shared one core, and stays there', async () => {
    fakeCpu(1.0);
    const [helper, inline] = [counting(1), counting(2)];
    const share = whileItPays(helper, inline);
    const answers = await steps(share, 200);
    expect(helper.begins).toBe(49); // the 50th step already runs inline
    expect(answers.slice(0, 49).every((z) => z === 1)).toBe(true);
    expect(answers.slice(49).every((z) => z === 2)).toBe(true);
    await share.close();
    expect(helper.closed).toBe(true); // the idle helper still ends with the run
  });
});
