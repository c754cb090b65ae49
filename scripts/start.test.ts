import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopAvailability } from './start.mjs';

const root = '/repo';
const built = (p: string) => p === join(root, 'dist', 'electron', 'main.js');
const binary = () => ({ path: '/repo/node_modules/electron/dist/electron' });

describe('npm start: can the desktop app start?', () => {
  it('falls back without a display on Linux, before looking for the binary', () => {
    let looked = false;
    const r = desktopAvailability({
      platform: 'linux',
      env: {},
      root,
      exists: built,
      findBinary: () => {
        looked = true;
        return binary();
      },
    });
    expect(r.reason).toMatch(/no display/);
    expect(looked).toBe(false);
  });

  it('accepts X11 or Wayland, and needs no display variable on macOS/Windows', () => {
    for (const env of [{ DISPLAY: ':0' }, { WAYLAND_DISPLAY: 'wayland-0' }]) {
      expect(desktopAvailability({ platform: 'linux', env, root, exists: built, findBinary: binary })).toEqual({
        reason: undefined,
        binary: binary().path,
      });
    }
    for (const platform of ['darwin', 'win32']) {
      expect(desktopAvailability({ platform, env: {}, root, exists: built, findBinary: binary }).reason).toBeUndefined();
    }
  });

  it('passes on the reason when there is no Electron binary', () => {
    const r = desktopAvailability({
      platform: 'linux',
      env: { DISPLAY: ':0' },
      root,
      exists: built,
      findBinary: () => ({ path: undefined, reason: 'the Electron binary was never downloaded' }),
    });
    expect(r.reason).toBe('the Electron binary was never downloaded');
  });

  it('falls back when the desktop bundle was not built', () => {
    const r = desktopAvailability({ platform: 'darwin', env: {}, root, exists: () => false, findBinary: binary });
    expect(r.reason).toMatch(/dist\/electron\/main\.js/);
  });
});
