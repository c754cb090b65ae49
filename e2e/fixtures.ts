// Shared Playwright fixtures for the web project (*.web.spec.ts).
//
// Usage in a spec:
//
//   import { expect, test } from './fixtures';
//
//   test('my page works', async ({ page, panel }) => {
//     await panel.open(page);                       // start URL (with token) → app frame visible
//     await page.getByTestId('nav-logs').click();
//     // panel.baseUrl  http://127.0.0.1:PORT (no token; for page.goto after the cookie is set)
//     // panel.url      the start URL with ?token=…  (what a user opens)
//     // panel.token    the token alone;  panel.home  the VLLM_PANEL_HOME of this run
//     // panel.output() what the web shell printed so far (stdout + stderr), for failure messages
//   });
//
// Every test gets its own `vllm-panel web` process (`node dist/cli.js web --port 0 --json`) with a
// fresh, empty VLLM_PANEL_HOME, so settings and profiles never leak between tests. It is stopped
// (SIGTERM, then SIGKILL after 5 s) and its home removed when the test ends.
//
// Options (per file or describe block):
//   test.use({ panelEnv: { PATH: `${fakeBin}:${process.env.PATH}` } });  // extra env for the shell
//   test.use({ panelArgs: ['--token', 'fixed-token-for-test-123'] });     // extra `web` arguments
//
// Needs `node scripts/build.mjs` first (dist/cli.js and dist/renderer); `npm test` does that.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';

export { expect };

const repo = fileURLToPath(new URL('..', import.meta.url));
const cliPath = join(repo, 'dist', 'cli.js');
// Start-up of the CLI + core on a loaded 2-core machine is well under this.
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

export interface Panel {
  /** Start URL with ?token=… */
  url: string;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  token: string;
  port: number;
  /** VLLM_PANEL_HOME of this web shell (settings.json lives here). */
  home: string;
  /** Everything the web shell printed so far. */
  output(): string;
  /** Opens the start URL and waits until the app frame is visible and connected. */
  open(page: Page): Promise<void>;
}

interface PanelOptions {
  panelEnv: Record<string, string>;
  panelArgs: string[];
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const test = base.extend<PanelOptions & { panel: Panel }>({
  panelEnv: [{}, { option: true }],
  panelArgs: [[], { option: true }],
  panel: async ({ panelEnv, panelArgs }, use) => {
    if (!existsSync(cliPath) || !existsSync(join(repo, 'dist', 'renderer', 'index.html'))) {
      throw new Error('dist/ is not built: run `node scripts/build.mjs` (or `npm test`, which builds first)');
    }
    const home = mkdtempSync(join(tmpdir(), 'vllm-panel-e2e-'));
    let output = '';
    const child = spawn(process.execPath, [cliPath, 'web', '--port', '0', '--json', ...panelArgs], {
      cwd: repo,
      env: { ...process.env, ...panelEnv, VLLM_PANEL_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const started = await new Promise<{ url: string; port: number }>((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(
          () => reject(new Error(`web shell did not start in ${START_TIMEOUT_MS} ms:\n${output}`)),
          START_TIMEOUT_MS,
        );
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          stdout += chunk.toString();
          const nl = stdout.indexOf('\n');
          if (nl < 0) return;
          clearTimeout(timer);
          let line: { url?: unknown; port?: unknown } | undefined;
          try {
            line = JSON.parse(stdout.slice(0, nl)) as { url?: unknown; port?: unknown };
          } catch {
            line = undefined;
          }
          if (line && typeof line.url === 'string' && typeof line.port === 'number') resolve({ url: line.url, port: line.port });
          else reject(new Error(`web shell printed something other than its JSON start line:\n${output}`));
        });
        child.stderr?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`web shell exited (${signal ?? code}) before it was ready:\n${output}`));
        });
      });
      const parsed = new URL(started.url);
      const token = parsed.searchParams.get('token');
      if (!token) throw new Error(`start URL has no token: ${started.url}`);
      const panel: Panel = {
        url: started.url,
        baseUrl: parsed.origin,
        token,
        port: started.port,
        home,
        output: () => output,
        async open(page) {
          const response = await page.goto(started.url);
          expect(response?.status(), 'start URL answered').toBe(200);
          await expect(page.getByTestId('app-root')).toBeVisible();
          await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
        },
      };
      await use(panel);
    } finally {
      await stop(child);
      rmSync(home, { recursive: true, force: true });
    }
  },
});
