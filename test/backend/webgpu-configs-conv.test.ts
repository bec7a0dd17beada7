import { describeConfigs } from './webgpu-configs.js';

await describeConfigs('conv');
