// electron-builder.yml cannot be exercised here (packaging needs the Electron binary), so it is
// checked against electron-builder's own JSON schema, plus the choices DESIGN.md and issue 2 ask for.
// ajv and js-yaml come with electron-builder (devDependency); they are loaded from its tree.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const repo = new URL('../', import.meta.url);
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
const Ajv = require('ajv') as new (opts: object) => { compile(schema: unknown): Validate };
const yaml = require('js-yaml') as { load(text: string): unknown };
const schema = require('app-builder-lib/scheme.json') as unknown;

const config = yaml.load(readFileSync(new URL('electron-builder.yml', repo), 'utf8')) as Record<string, unknown> & {
  files: string[];
  linux: { target: string[]; icon: string };
  mac: { target: string };
  win: { target: string };
};

describe('electron-builder.yml', () => {
  // Compiling electron-builder's schema takes seconds; once is enough.
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it("is valid for electron-builder's schema", () => {
    const ok = validate(config);
    expect(validate.errors ?? null, JSON.stringify(validate.errors, null, 2)).toBeNull();
    expect(ok).toBe(true);
  });

  it('the schema check itself rejects an unknown key', () => {
    expect(validate({ ...config, notAnOption: true })).toBe(false);
  });

  it('names the product, ships only the built app in an asar, and targets every desktop OS', () => {
    expect(config.productName).toBe('vLLM Panel');
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.asar).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('points at an icon that exists, with the main entry package.json names', () => {
    expect(existsSync(new URL(config.linux.icon, repo))).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('package.json', repo), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.js');
  });
});
