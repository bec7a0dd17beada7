// The comparison report's public surface: build one, find the runs it takes, and the record the index page reads.
export { buildComparison, type CompareOptions, type ComparisonResult } from './build.js';
export type { ComparisonRecord } from '../catalog/comparison-record.js';
export { expandRunDirs } from '../catalog/discover.js';
