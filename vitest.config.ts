import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/*
 * Without a results cache (every CI run is a fresh clone) vitest starts the largest files first, and the
 * longest-running ones are three-line files that would then start last, running alone on one core after
 * everything else (CI once ran past its 90 minutes that way). These start first, longest first; the rest
 * keep vitest's order. Durations from a fresh-clone `bash .ci/run` on 2 cores.
 */
const LONGEST_FIRST = [
  'test/backend/webgpu-configs-mlp.test.ts',
  'test/backend/webgpu-configs-conv.test.ts',
  'test/queue/queue.test.ts',
  'test/cli/outputs.test.ts',
  'test/train/trainer.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    const order = await super.sort(files);
    return order.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Type-level tests (*.test-d.ts) go through the type checker: a wrong type fails `npm test`.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: 'tsconfig.json' },
    // Training tests run real (small) models on one wasm thread; kernels tests compare backends.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One worker per core: test files train models and would fight over 2 cores anyway.
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
