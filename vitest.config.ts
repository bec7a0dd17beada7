import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Training tests run real (small) models on one wasm thread; kernels tests compare backends.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One worker per core: test files train models and would fight over 2 cores anyway.
    pool: 'forks',
    maxWorkers: 2,
  },
});
