import { defineConfig } from 'vitest/config';

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
  },
});
