// Electron main process: the only file that imports 'electron' at runtime. It wires the pure
// policies (security.ts, ipc.ts, lifecycle.ts) to the real objects. Bundled by scripts/build.mjs
// to dist/electron/main.js (ESM; npm packages stay external).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, shell, type WebContents } from 'electron';
import { type Core, createCore } from '../../app/host/core';
import { defaultDeps } from '../../app/host/deps';
import { forwardEvents, registerCommandHandlers } from './ipc';
import { createQuitGuard, desktopPaths, electronProfileDir, focusWindow } from './lifecycle';
import { EncryptedFileSecretStore, safeStorageCipher } from './secrets';
import { allowPermission, appIndexUrl, decideWindowOpen, guardNavigation, windowOptions, withCsp } from './security';

const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const indexHtmlPath = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const indexUrl = appIndexUrl(indexHtmlPath);

let mainWindow: BrowserWindow | undefined;
const getWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined);

function fatal(title: string, err: unknown): never {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`${title}: ${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
  // app.exit ends the app; this only tells TypeScript (and any code after it) that nothing follows.
  process.exit(1);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath));
  const openExternal = (url: string) => shell.openExternal(url);
  win.webContents.setWindowOpenHandler((details) => decideWindowOpen(details.url, openExternal));
  win.webContents.on('will-navigate', (event, url) => guardNavigation(event, url, indexUrl, openExternal));
  win.webContents.on('will-redirect', (event, url) => guardNavigation(event, url, indexUrl, openExternal));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  // A failed load (e.g. aborted by a reload) leaves the window usable; only log it.
  win.loadFile(indexHtmlPath).catch((err: unknown) => console.error(`vllm-panel: loading the window failed: ${String(err)}`));
  return win;
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders) }));
  const ours = (wc: WebContents | null) => wc !== null && wc === getWindow()?.webContents;
  ses.setPermissionRequestHandler((wc, permission, callback) => callback(allowPermission(permission, ours(wc))));
  ses.setPermissionCheckHandler((wc, permission) => allowPermission(permission, ours(wc)));
}

const profileDir = electronProfileDir(process.env);
if (profileDir) app.setPath('userData', profileDir);

// A second launch hands over to the first one (its 'second-instance' focuses the window) and exits
// before touching settings or starting anything.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Chromium-wide hardening that must happen before 'ready'.
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  // Top-level await: ESM main modules delay Electron's 'ready' until they finish evaluating, so the
  // settings are read before the GPU decision below (see Electron's ESM docs). Never await
  // app.whenReady() at the top level: that would deadlock.
  let core: Core;
  try {
    const paths = desktopPaths(app.getPath('userData'), process.env, process.cwd());
    core = await createCore(
      defaultDeps({
        shell: 'electron',
        version: app.getVersion(),
        paths,
        // The chat's API key: encrypted with the OS keychain, never in plain settings.
        secrets: new EncryptedFileSecretStore(join(paths.configDir, 'secrets.json'), safeStorageCipher(safeStorage, process.platform)),
      }),
    );
  } catch (err) {
    fatal('vLLM Panel could not start its core', err);
  }

  // Default on: Chromium's GPU compositor would otherwise take VRAM that vLLM's
  // --gpu-memory-utilization budget assumes is free. Takes effect at launch only.
  if (core.context.settings.get().disableHardwareAcceleration) app.disableHardwareAcceleration();

  registerCommandHandlers(ipcMain, core, getWindow, indexUrl);
  forwardEvents(core, getWindow);

  app.on('second-instance', () => {
    if (!focusWindow(getWindow()) && app.isReady()) mainWindow = createWindow();
  });

  app.on(
    'before-quit',
    createQuitGuard({
      dispose: () => core.dispose(),
      quit: () => app.quit(),
      // stopGraceSeconds covers SIGTERM → SIGKILL; 30 s more for confirming the processes are gone.
      timeoutMs: () => (core.context.settings.get().stopGraceSeconds + 30) * 1000,
      onError: (message) => console.error(`vllm-panel: ${message}`),
    }),
  );

  app.on('window-all-closed', () => {
    // macOS apps stay alive without windows; the dock icon reopens one ('activate').
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (!getWindow() && app.isReady()) mainWindow = createWindow();
  });

  app
    .whenReady()
    .then(() => {
      if (!existsSync(indexHtmlPath)) {
        fatal('vLLM Panel is not built', new Error(`${indexHtmlPath} is missing. Run \`npm run build\` first.`));
      }
      hardenSession();
      mainWindow = createWindow();
    })
    .catch((err: unknown) => fatal('vLLM Panel could not open its window', err));
}
