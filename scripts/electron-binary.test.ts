import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary, platformExecutable } from './electron-binary.mjs';

const root = '/repo';
const pkg = join(root, 'node_modules', 'electron');

function fs(files: Record<string, string>) {
  return {
    exists: (p: string) => p in files,
    read: (p: string) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return v;
    },
  };
}

describe('findElectronBinary', () => {
  it('finds the downloaded binary that path.txt names', () => {
    const f = fs({ [join(pkg, 'package.json')]: '{}', [join(pkg, 'path.txt')]: 'electron', [join(pkg, 'dist', 'electron')]: '' });
    expect(findElectronBinary({ root, env: {}, platform: 'linux', ...f })).toEqual({ path: join(pkg, 'dist', 'electron') });
  });

  it('uses the platform layout when path.txt is missing (macOS app bundle, Windows exe)', () => {
    const mac = join(pkg, 'dist', 'Electron.app/Contents/MacOS/Electron');
    expect(findElectronBinary({ root, env: {}, platform: 'darwin', ...fs({ [join(pkg, 'package.json')]: '{}', [mac]: '' }) })).toEqual({
      path: mac,
    });
    expect(platformExecutable('win32')).toBe('electron.exe');
  });

  it('reports a missing binary instead of downloading it', () => {
    const r = findElectronBinary({ root, env: {}, platform: 'linux', ...fs({ [join(pkg, 'package.json')]: '{}' }) });
    expect(r.path).toBeUndefined();
    expect(r.reason).toMatch(/never downloaded/);
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const f = fs({ [join(pkg, 'package.json')]: '{}', '/opt/electron/electron': '' });
    expect(findElectronBinary({ root, env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, platform: 'linux', ...f })).toEqual({
      path: '/opt/electron/electron',
    });
    const none = findElectronBinary({ root, env: { ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent' }, platform: 'linux', ...f });
    expect(none).toEqual({ path: undefined, reason: expect.stringMatching(/ELECTRON_OVERRIDE_DIST_PATH is set/) });
  });

  it('says so when the electron package itself is absent', () => {
    expect(findElectronBinary({ root, env: {}, platform: 'linux', ...fs({}) })).toEqual({
      path: undefined,
      reason: expect.stringMatching(/not installed/),
    });
  });
});
