// The real main-process bundle (electron/main/index.ts built as scripts/build.mjs builds it) run
// under plain Node against a recording stand-in for 'electron' (fixtures/fake-electron.mjs). The
// Electron binary cannot be downloaded here, so this is what proves the wiring: settings read
// before 'ready', IPC registered for every channel with the sender check, window options, CSP,
// window-open/navigation/permission policies, second instance, and quit → dispose → quit.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_CHANNELS } from '../../app/contract/channels';
import { CONTENT_SECURITY_POLICY } from './security';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'vllm-panel-main-bundle-'));
const mainJs = join(work, 'dist', 'electron', 'main.js');
const rendererHtml = join(work, 'dist', 'renderer', 'index.html');
// Each run takes ~1.5 s on an idle machine; the margins are for CI boxes shared with other jobs.
const CHILD_TIMEOUT_MS = 30_000;
const SLOW = { timeout: 45_000 };

beforeAll(async () => {
  // Same layout as the package: dist/electron/main.js next to dist/renderer/, npm deps resolvable.
  await build({
    absWorkingDir: repo,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    entryPoints: ['electron/main/index.ts'],
    outfile: mainJs,
    logLevel: 'silent',
  });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(work, 'dist', 'renderer'), { recursive: true });
  writeFileSync(rendererHtml, '<!doctype html><title>stand-in renderer</title>');
  symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir');
}, SLOW.timeout);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Report {
  beforeReady: string[];
  handlersBeforeReady: string[];
  windowOptions?: { webPreferences: Record<string, unknown> };
  loadedFile?: string;
  appInfo?: unknown;
  invalid?: unknown;
  foreignFrame?: unknown;
  otherContents?: unknown;
  update?: unknown;
  sentAfterUpdate?: string[];
  windowOpen?: unknown[];
  navigation?: Record<string, boolean>;
  opened?: string[];
  csp?: { responseHeaders: Record<string, string[]> };
  permissions?: Record<string, boolean>;
  secondInstance?: { windows: number; calls: string[] };
  quittedImmediately?: boolean;
  quitLog?: string[];
}

function runMain(env: Record<string, string>): Promise<Report> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent',
    NODE_OPTIONS: '',
    ...env,
  };
  if (!('VLLM_PANEL_HOME' in env)) delete childEnv.VLLM_PANEL_HOME;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', join(fixtures, 'use-fake-electron.mjs'), join(fixtures, 'drive-main.mjs'), mainJs],
      { cwd: work, env: childEnv, timeout: CHILD_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`main bundle run failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Report);
        } catch {
          reject(new Error(`no report from the driver:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe('main bundle with a stand-in electron', () => {
  let r: Report;
  beforeAll(async () => {
    r = await runMain({ VLLM_PANEL_HOME: join(work, 'home') });
  }, SLOW.timeout);

  it('takes the single-instance lock, hardens Chromium and reads settings before ready', () => {
    expect(r.beforeReady).toEqual([
      'app.setPath(userData)',
      'app.requestSingleInstanceLock',
      'app.enableSandbox',
      // Default setting: hardware acceleration off, decided before 'ready' as Electron requires.
      'app.disableHardwareAcceleration(ready=false)',
    ]);
    expect(r.handlersBeforeReady.sort()).toEqual([...COMMAND_CHANNELS].sort());
  });

  it('opens a sandboxed, isolated window on the built renderer with the built preload', () => {
    expect(r.windowOptions?.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: join(work, 'dist', 'electron', 'preload.cjs'),
    });
    expect(r.loadedFile).toBe(rendererHtml);
  });

  it('serves IPC from the window through the core, validated, and refuses other senders', () => {
    expect(r.appInfo).toMatchObject({ ok: true, value: { name: 'vLLM Panel', shell: 'electron', version: '0.0.0-fake' } });
    expect(r.invalid).toMatchObject({ ok: false, error: { kind: 'invalid_argument', field: 'stopGraceSeconds' } });
    expect(r.foreignFrame).toEqual({ rejected: expect.stringMatching(/did not come from the vLLM Panel window/) });
    expect(r.otherContents).toEqual({ rejected: expect.stringMatching(/did not come from the vLLM Panel window/) });
    expect(r.update).toMatchObject({ ok: true, value: { theme: 'light' } });
    expect(r.sentAfterUpdate).toContain('settings');
  });

  it('denies new windows and navigation, sending web links to the browser', () => {
    expect(r.windowOpen).toEqual([{ action: 'deny' }, { action: 'deny' }]);
    expect(r.navigation).toEqual({ away: true, file: true, self: false });
    expect(r.opened).toEqual(['https://docs.vllm.ai/', 'https://example.com/']);
  });

  it('sets the CSP header and denies permissions', () => {
    expect(r.csp?.responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(r.permissions).toEqual({ media: false, clipboardWrite: true, checkGeolocation: false, clipboardFromOther: false });
  });

  it('a second launch focuses the existing window', () => {
    expect(r.secondInstance).toEqual({ windows: 1, calls: ['restore', 'show', 'focus'] });
  });

  it('quit is held until the core is disposed, then goes through', () => {
    expect(r.quittedImmediately).toBe(false);
    expect(r.quitLog).toEqual(['app.quit', 'app.quit', 'quitted']);
  });
});

describe('main bundle: settings and the instance lock', () => {
  it('keeps hardware acceleration when the user turned the setting off (settings in userData)', SLOW, async () => {
    const userData = join(work, 'user-data');
    mkdirSync(userData, { recursive: true });
    writeFileSync(join(userData, 'settings.json'), JSON.stringify({ disableHardwareAcceleration: false }));
    const r = await runMain({ FAKE_ELECTRON_USER_DATA: userData });
    expect(r.beforeReady).toEqual(['app.requestSingleInstanceLock', 'app.enableSandbox']);
    expect(r.appInfo).toMatchObject({ ok: true, value: { configDir: userData } });
  });

  it('without a built renderer it says so and exits non-zero', SLOW, async () => {
    unlinkSync(rendererHtml);
    await expect(runMain({ VLLM_PANEL_HOME: join(work, 'home3') })).rejects.toThrow(
      /vLLM Panel is not built: .*index\.html is missing\. Run `npm run build` first/,
    );
  });

  it('a second instance quits at once without starting the core', SLOW, async () => {
    const r = await runMain({ VLLM_PANEL_HOME: join(work, 'home2'), FAKE_ELECTRON_LOCK: '0' });
    expect(r.beforeReady).toEqual(['app.setPath(userData)', 'app.requestSingleInstanceLock', 'app.quit', 'quitted']);
    expect(r.handlersBeforeReady).toEqual([]);
  });
});
