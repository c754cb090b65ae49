// The desktop app end to end: the real Electron binary runs dist/electron/main.js with the built
// renderer (`npm run build` first). Needs the Electron binary, which build machines here cannot
// download: `npm test` runs this project only where scripts/electron-binary.mjs finds one, and
// `npm run test:e2e:electron` fails loudly (never skips) when it is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ElectronApplication, _electron as electron, expect, type Page, test } from '@playwright/test';
import { findElectronBinary } from '../scripts/electron-binary.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const PAGE_IDS = ['launch', 'logs', 'metrics', 'chat', 'bench'] as const;

test.describe.configure({ mode: 'serial' });

let app: ElectronApplication;
let page: Page;
let home: string;

test.beforeAll(async () => {
  const binary = findElectronBinary();
  if (!binary.path) throw new Error(`Cannot run the electron e2e project: ${binary.reason}`);
  home = mkdtempSync(join(tmpdir(), 'vllm-panel-electron-e2e-'));
  app = await electron.launch({
    executablePath: binary.path,
    // Chromium refuses to start as root with its OS sandbox (CI containers); the renderer is still
    // sandboxed by Electron (no Node in the page), which the tests below check.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), repo],
    cwd: repo,
    // A throwaway profile: settings, data and cache of the run live in `home`.
    env: { ...(process.env as Record<string, string>), VLLM_PANEL_HOME: home },
    timeout: 30_000,
  });
  page = await app.firstWindow();
});

test.afterAll(async () => {
  await app?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('opens one window with the app frame', async () => {
  await expect(page.getByTestId('app-root')).toBeVisible();
  await expect(page.getByTestId('app-header')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
  await expect(page.getByTestId('status-bar')).toBeVisible();
  // The core answered over IPC: the status bar shows the shell that app:info reports.
  await expect(page.getByTestId('app-shell')).toContainText('electron');
  expect(page.url()).toMatch(/^file:\/\/.*\/dist\/renderer\/index\.html/);
  expect(app.windows()).toHaveLength(1);
});

test('navigates every page', async () => {
  for (const id of PAGE_IDS) {
    await page.getByTestId(`nav-${id}`).click();
    await expect(page.getByTestId(`page-${id}`)).toBeVisible();
    await expect(page.getByTestId(`nav-${id}`)).toHaveAttribute('aria-current', 'page');
  }
});

test('the page gets only the invoke/on bridge and no Node', async () => {
  const surface = await page.evaluate(() => {
    const g = globalThis as Record<string, unknown>;
    return {
      bridgeKeys: Object.keys((g.vllmPanel as object | undefined) ?? {}).sort(),
      require: typeof g.require,
      process: typeof g.process,
      module: typeof g.module,
      Buffer: typeof g.Buffer,
      ipcRenderer: typeof g.ipcRenderer,
    };
  });
  expect(surface).toEqual({
    bridgeKeys: ['invoke', 'on'],
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    Buffer: 'undefined',
    ipcRenderer: 'undefined',
  });
});

test('the bridge answers allow-listed commands and refuses everything else', async () => {
  const r = await page.evaluate(async () => {
    type Bridge = { invoke(c: string, a?: unknown): Promise<unknown>; on(c: string, cb: (p: unknown) => void): () => void };
    const bridge = (globalThis as unknown as { vllmPanel: Bridge }).vllmPanel;
    const info = await bridge.invoke('app:info');
    const bad = await bridge.invoke('settings:update', { stopGraceSeconds: 'soon' });
    const unknown = await bridge.invoke('fs:read', {}).then(
      () => 'resolved',
      (e: unknown) => String(e),
    );
    let onError = '';
    try {
      bridge.on('ELECTRON_BROWSER_WINDOW_CLOSE', () => {});
    } catch (e) {
      onError = String(e);
    }
    return { info, bad, unknown, onError };
  });
  expect(r.info).toMatchObject({ ok: true, value: { name: 'vLLM Panel', shell: 'electron' } });
  expect(r.bad).toMatchObject({ ok: false, error: { kind: 'invalid_argument', field: 'stopGraceSeconds' } });
  expect(r.unknown).toMatch(/unknown command channel/);
  expect(r.onError).toMatch(/unknown event channel/);
});

test('events reach the page through on()', async () => {
  const theme = await page.evaluate(async () => {
    type Bridge = { invoke(c: string, a?: unknown): Promise<unknown>; on(c: string, cb: (p: unknown) => void): () => void };
    const bridge = (globalThis as unknown as { vllmPanel: Bridge }).vllmPanel;
    const got = new Promise<unknown>((resolve) => {
      const off = bridge.on('settings', (payload) => {
        off();
        resolve(payload);
      });
    });
    await bridge.invoke('settings:update', { theme: 'light' });
    return ((await got) as { theme: string }).theme;
  });
  expect(theme).toBe('light');
});

test('CSP blocks eval and inline script; new windows are denied', async () => {
  const r = await page.evaluate(() => {
    let evalBlocked = false;
    try {
      // biome-ignore lint/security/noGlobalEval: the point is to prove CSP blocks it
      eval('1');
    } catch {
      evalBlocked = true;
    }
    const s = document.createElement('script');
    s.textContent = 'globalThis.__inlineRan = true';
    document.body.appendChild(s);
    const opened = window.open('file:///etc/hostname');
    return { evalBlocked, inlineRan: (globalThis as Record<string, unknown>).__inlineRan === true, opened: opened !== null };
  });
  expect(r).toEqual({ evalBlocked: true, inlineRan: false, opened: false });
  expect(app.windows()).toHaveLength(1);
});

test('navigation away from the app is cancelled', async () => {
  const before = page.url();
  await page.evaluate(() => {
    window.location.href = 'file:///etc/hostname';
  });
  // will-navigate cancels it; give Chromium a moment to (not) navigate.
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  await expect(page.getByTestId('app-root')).toBeVisible();
});

test('quitting disposes the core and exits', async () => {
  const exited = new Promise<void>((resolve) => app.process().once('exit', () => resolve()));
  await app.evaluate(({ app: electronApp }) => electronApp.quit());
  await expect(exited).resolves.toBeUndefined();
});
