import { readFileSync } from 'node:fs';

// Both the source file (app/version.ts) and the bundle (dist/*.js) sit one folder below the
// package root, so ../package.json is the package's own manifest in either case.
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0-unknown';
  } catch {
    return '0.0.0-unknown';
  }
}
export const PANEL_VERSION = readVersion();
