#!/usr/bin/env -S npx tsx
// `npx tsx run <config.yaml>`: tsx resolves `run` to this file. All logic lives in src/cli.
import { main } from './src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
