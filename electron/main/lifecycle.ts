// App lifecycle pieces of the Electron shell, pure so they can be tested without the binary.
import { join } from 'node:path';
import type { CorePaths } from '../../app/host/deps';

/**
 * Where the desktop app keeps its files: settings in Electron's userData folder, our data and
 * cache in sub-folders beside them. The names avoid the folders Chromium creates there
 * ("Cache", "Code Cache", "GPUCache", "Local Storage", ...), which on case-insensitive file
 * systems would otherwise collide. VLLM_PANEL_HOME (the same override the CLI and web shell
 * honour) puts everything under one folder, which the e2e tests use for a throwaway profile.
 */
export function desktopPaths(userData: string, env: Record<string, string | undefined>, cwd: string): CorePaths {
  const home = env.VLLM_PANEL_HOME;
  if (home) return { configDir: home, dataDir: home, cacheDir: join(home, 'cache'), cwd };
  return { configDir: userData, dataDir: join(userData, 'panel-data'), cacheDir: join(userData, 'panel-cache'), cwd };
}

/**
 * With VLLM_PANEL_HOME set, Chromium's profile (and with it the single-instance lock) moves under
 * that folder too, so a test run never collides with, or hands over to, the user's running app.
 */
export function electronProfileDir(env: Record<string, string | undefined>): string | undefined {
  return env.VLLM_PANEL_HOME ? join(env.VLLM_PANEL_HOME, 'electron-profile') : undefined;
}

/** Brings an existing window to the front (a second launch focuses the first instance). */
export function focusWindow(
  win: { isDestroyed(): boolean; isMinimized(): boolean; restore(): void; show(): void; focus(): void } | undefined,
): boolean {
  if (!win || win.isDestroyed()) return false;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  return true;
}

export interface QuitGuardOptions {
  /** Stops everything the core runs (vLLM included, unless the user chose to keep it running). */
  dispose: () => Promise<void>;
  /** Calls app.quit() again once disposal has finished. */
  quit: () => void;
  /**
   * Upper bound on waiting for dispose. The core's own stop sequence (SIGTERM, grace period,
   * SIGKILL) ends well within stopGraceSeconds plus a margin; this only guards against a bug
   * that would otherwise make the app impossible to quit.
   */
  timeoutMs: () => number;
  onError?: (message: string) => void;
}

/**
 * A 'before-quit' listener: the first quit is cancelled, the core disposed, then quit is called
 * again and let through. Further quit attempts while disposing are cancelled without starting a
 * second disposal.
 */
export function createQuitGuard(opts: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let state: 'running' | 'disposing' | 'done' = 'running';
  return (event) => {
    if (state === 'done') return;
    event.preventDefault();
    if (state === 'disposing') return;
    state = 'disposing';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.timeoutMs());
    });
    void Promise.race([opts.dispose().then(() => 'disposed' as const), timeout])
      .then(
        (r) => {
          if (r === 'timeout') opts.onError?.(`Stopping the core took longer than ${opts.timeoutMs()} ms; quitting anyway.`);
        },
        (err: unknown) => opts.onError?.(`Stopping the core failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        clearTimeout(timer);
        state = 'done';
        opts.quit();
      });
  };
}
