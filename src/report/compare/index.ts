// The comparison report's public surface: build one, and the record the index page reads.
export { buildComparison, comparisonId, COMPARISON_FORMAT, type CompareOptions, type ComparisonRecord, type ComparisonResult } from './build.js';
export { expandRunDirs, findRunDirs } from './discover.js';
