// DESIGN.md's dependency rule, proven at runtime: the core (and the CLI with every command,
// the web host included) loads and runs under plain Node without ever resolving 'electron'.
// A child `node` runs fixtures/load-core.ts with fixtures/record-resolutions.mjs recording every
// ESM and CommonJS resolution; a control run proves the recorder does catch 'electron'.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const recorder = join(fixtures, 'record-resolutions.mjs');
const work = mkdtempSync(join(tmpdir(), 'no-electron-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The core probe takes ~2 s on an idle machine; the margins are for CI boxes shared with other jobs.
const CHILD_TIMEOUT_MS = 30_000;
const SLOW = { timeout: 45_000 };

interface Resolution {
  via: 'esm' | 'cjs';
  specifier: string;
  url?: string;
  parent: string | null;
  electron: boolean;
}

interface ProbeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  resolutions: Resolution[];
}

let runs = 0;
function probe(script: string, preload: string[] = []): Promise<ProbeRun> {
  const logFile = join(work, `resolutions-${++runs}.jsonl`);
  writeFileSync(logFile, '');
  const args = [...preload.flatMap((p) => ['--import', p]), '--import', recorder, script];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: repo,
        // Never let anything try to fetch an Electron binary, whatever happens.
        env: { ...process.env, NO_ELECTRON_LOG: logFile, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent', NODE_OPTIONS: '' },
        timeout: CHILD_TIMEOUT_MS,
      },
      (error, stdout, stderr) => {
        const resolutions = readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Resolution);
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr, resolutions });
      },
    );
  });
}

describe('the core under plain Node', () => {
  it('creates and runs the core and the CLI without resolving electron', SLOW, async () => {
    const run = await probe(join(fixtures, 'load-core.ts'), ['tsx']);
    const electron = run.resolutions.filter((r) => r.electron);
    expect(electron, `electron was resolved:\n${JSON.stringify(electron, null, 2)}`).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ appInfoOk: true, shell: 'cli', cliCode: 0 });

    // The recorder really watched this run: the core's own modules and its npm deps went through it.
    const urls = run.resolutions.map((r) => r.url ?? '');
    expect(urls.some((u) => u.endsWith('/app/host/core.ts'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/app/cli/main.ts'))).toBe(true);
    expect(urls.some((u) => /[\\/]node_modules[\\/]zod[\\/]/.test(u))).toBe(true);
  });

  // Control: the same recorder catches 'electron' in every way code could reach it. Written at
  // run time into a temp folder so the repo itself never contains such an import.
  const name = 'electron';
  it.each([
    ['a static ESM import', `import { app } from ${JSON.stringify(name)};\nconsole.log(typeof app);\n`, 'esm'],
    ['a dynamic import', `await import(${JSON.stringify(`${name}/main`)});\n`, 'esm'],
    [
      'a CommonJS require',
      `import { createRequire } from 'node:module';\ncreateRequire(import.meta.url)(${JSON.stringify(name)});\n`,
      'cjs',
    ],
  ])('control: catches %s', SLOW, async (_label, source, via) => {
    const script = join(work, `control-${runs + 1}.mjs`);
    writeFileSync(script, source);
    const run = await probe(script);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/no-electron probe/);
    expect(run.resolutions.filter((r) => r.electron)).toEqual([expect.objectContaining({ via, electron: true })]);
  });
});
