import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQuitGuard, desktopPaths, electronProfileDir, focusWindow } from './lifecycle';

afterEach(() => {
  vi.useRealTimers();
});

describe('desktopPaths', () => {
  it("keeps settings in Electron's userData folder and our data beside them", () => {
    const p = desktopPaths('/home/u/.config/vLLM Panel', {}, '/home/u');
    expect(p).toEqual({
      configDir: '/home/u/.config/vLLM Panel',
      dataDir: join('/home/u/.config/vLLM Panel', 'panel-data'),
      cacheDir: join('/home/u/.config/vLLM Panel', 'panel-cache'),
      cwd: '/home/u',
    });
  });

  it('VLLM_PANEL_HOME overrides everything, as in the CLI', () => {
    expect(desktopPaths('/ignored', { VLLM_PANEL_HOME: '/tmp/p' }, '/w')).toEqual({
      configDir: '/tmp/p',
      dataDir: '/tmp/p',
      cacheDir: join('/tmp/p', 'cache'),
      cwd: '/w',
    });
  });
});

describe('electronProfileDir', () => {
  it("moves Chromium's profile under VLLM_PANEL_HOME only when that is set", () => {
    expect(electronProfileDir({})).toBeUndefined();
    expect(electronProfileDir({ VLLM_PANEL_HOME: '/tmp/p' })).toBe(join('/tmp/p', 'electron-profile'));
  });
});

describe('focusWindow', () => {
  const win = (minimized: boolean, destroyed = false) => {
    const calls: string[] = [];
    return {
      calls,
      isDestroyed: () => destroyed,
      isMinimized: () => minimized,
      restore: () => void calls.push('restore'),
      show: () => void calls.push('show'),
      focus: () => void calls.push('focus'),
    };
  };

  it('restores a minimised window and focuses it', () => {
    const w = win(true);
    expect(focusWindow(w)).toBe(true);
    expect(w.calls).toEqual(['restore', 'show', 'focus']);
  });

  it('reports false when there is no live window (the caller opens a new one)', () => {
    expect(focusWindow(undefined)).toBe(false);
    const w = win(false, true);
    expect(focusWindow(w)).toBe(false);
    expect(w.calls).toEqual([]);
  });
});

describe('createQuitGuard', () => {
  const event = () => ({ preventDefault: vi.fn() });

  it('cancels the first quit, disposes the core, then quits and lets that quit through', async () => {
    const order: string[] = [];
    let finishDispose!: () => void;
    const dispose = vi.fn(
      () =>
        new Promise<void>((r) => {
          finishDispose = () => {
            order.push('disposed');
            r();
          };
        }),
    );
    const quit = vi.fn(() => void order.push('quit'));
    const guard = createQuitGuard({ dispose, quit, timeoutMs: () => 60_000 });

    const first = event();
    guard(first);
    expect(first.preventDefault).toHaveBeenCalledOnce();
    expect(dispose).toHaveBeenCalledOnce();
    expect(quit).not.toHaveBeenCalled();

    // A second Cmd+Q while vLLM is stopping: still cancelled, no second dispose.
    const impatient = event();
    guard(impatient);
    expect(impatient.preventDefault).toHaveBeenCalledOnce();
    expect(dispose).toHaveBeenCalledOnce();

    finishDispose();
    await vi.waitFor(() => expect(quit).toHaveBeenCalledOnce());
    expect(order).toEqual(['disposed', 'quit']);

    // The quit we triggered comes back through before-quit and must not be cancelled.
    const last = event();
    guard(last);
    expect(last.preventDefault).not.toHaveBeenCalled();
    expect(dispose).toHaveBeenCalledOnce();
  });

  it('still quits (and says why) when dispose fails', async () => {
    const quit = vi.fn();
    const onError = vi.fn();
    const guard = createQuitGuard({ dispose: () => Promise.reject(new Error('kill failed')), quit, timeoutMs: () => 60_000, onError });
    guard(event());
    await vi.waitFor(() => expect(quit).toHaveBeenCalledOnce());
    expect(onError).toHaveBeenCalledWith('Stopping the core failed: kill failed');
  });

  it('quits after the timeout when dispose hangs', async () => {
    vi.useFakeTimers();
    const quit = vi.fn();
    const onError = vi.fn();
    const guard = createQuitGuard({ dispose: () => new Promise(() => {}), quit, timeoutMs: () => 50_000, onError });
    guard(event());
    await vi.advanceTimersByTimeAsync(49_999);
    expect(quit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(quit).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toMatch(/longer than 50000 ms/);
  });
});
