// `npm test`: build, unit + integration tests (vitest), then the Playwright web project in a real
// Chromium; the electron project too where an Electron binary and a display exist. Fails (exit 1)
// on any failure and never skips silently: every step not run says why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './chromium.mjs';
import { findElectronBinary } from './electron-binary.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const results = [];
// Machine-readable results too, for one closing "N passed, N failed" line over every runner.
const reports = mkdtempSync(join(tmpdir(), 'vllm-panel-test-'));
const vitestJson = join(reports, 'vitest.json');
const playwrightJson = join(reports, 'playwright.json');

// Decide about Electron before touching its env: if the binary is there, nothing would download.
const electron = findElectronBinary({ root: repo });
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (!electron.path) {
  // The electron package downloads its binary on first use; a path that does not exist makes
  // every `require('electron')` fail fast instead of reaching for the network.
  process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent-electron-dist';
  process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ??= '1';
}

function banner(text) {
  console.log(`\n==== npm test: ${text} ====`);
}

/** Runs one step (argv, no shell) with a timeout; records ok/failed. Returns true on success. */
function step(name, args, { timeoutMs, env } = {}) {
  banner(name);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env }, timeout: timeoutMs });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  let status = 'ok';
  if (r.error?.code === 'ETIMEDOUT') status = `FAILED (timed out after ${Math.round(timeoutMs / 1000)} s)`;
  else if (r.error) status = `FAILED (${r.error.message})`;
  else if (r.signal) status = `FAILED (killed by ${r.signal})`;
  else if (r.status !== 0) status = `FAILED (exit ${r.status})`;
  results.push({ name, status, secs });
  return status === 'ok';
}

/** Passed/failed test counts from the runners' JSON reports (missing report = not counted). */
function counts() {
  let passed = 0;
  let failed = 0;
  try {
    const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
    passed += v.numPassedTests ?? 0;
    failed += (v.numFailedTests ?? 0) + (v.numFailedTestSuites && !v.numFailedTests ? v.numFailedTestSuites : 0);
  } catch {
    // vitest did not run or wrote no report
  }
  try {
    const p = JSON.parse(readFileSync(playwrightJson, 'utf8'));
    passed += p.stats?.expected ?? 0;
    failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
  } catch {
    // playwright did not run or wrote no report
  }
  return { passed, failed };
}

function summary() {
  const width = Math.max(...results.map((r) => r.name.length));
  banner('summary');
  for (const r of results) console.log(`  ${r.name.padEnd(width)}  ${r.status}${r.secs ? `  (${r.secs} s)` : ''}`);
  const failed = results.filter((r) => r.status.startsWith('FAILED'));
  const c = counts();
  console.log(`\ntests: ${c.passed} passed, ${c.failed} failed`);
  console.log(
    failed.length === 0
      ? `\nnpm test: all steps passed in ${Math.round((Date.now() - started) / 1000)} s`
      : `\nnpm test: ${failed.length} step(s) FAILED: ${failed.map((f) => f.name).join(', ')}`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

// Look for Chromium first: no point building for a run that cannot finish.
const chromium = await findChromium();
if (!chromium.path) {
  console.error(`npm test: ${chromium.reason}`);
  process.exit(1);
}
console.log(`npm test: Chromium for e2e: ${chromium.path} (${chromium.source})`);

// Timeouts: generous for a loaded 2-core machine, tight enough that a hang ends the run.
if (!step('build', ['scripts/build.mjs'], { timeoutMs: 5 * 60_000 })) {
  summary();
}
step(
  'unit + integration (vitest)',
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
  {
    timeoutMs: 15 * 60_000,
  },
);
step('e2e web (Playwright, Chromium)', ['node_modules/@playwright/test/cli.js', 'test', '--project=web', '--reporter=list,json'], {
  timeoutMs: 15 * 60_000,
  env: { CHROMIUM_PATH: chromium.path, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson },
});
if (electron.path && !noDisplay) {
  step('e2e electron (Playwright)', ['node_modules/@playwright/test/cli.js', 'test', '--project=electron'], { timeoutMs: 10 * 60_000 });
} else {
  const why = electron.path ? 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' : electron.reason;
  results.push({ name: 'e2e electron (Playwright)', status: `not run: ${why}`, secs: '' });
}
summary();
