#!/usr/bin/env node
// Runs the built simulator (a stand-in for `vllm`; see README "Simulator (no GPU)").
import { existsSync } from 'node:fs';

const entry = new URL('../dist/sim.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('vllm-sim: dist/sim.js is missing. Run `npm run build` in the package folder first.\n');
  process.exit(1);
}
await import(entry.href);
