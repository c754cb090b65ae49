#!/usr/bin/env node
// Runs the built CLI. `npm ci` builds dist/ through the `prepare` script.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('vllm-panel: dist/cli.js is missing. Run `npm run build` in the package folder first.\n');
  process.exit(1);
}
await import(entry.href);
