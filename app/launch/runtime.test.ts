import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execaRun, type RunCommand } from '../host/deps';
import { detectRuntimes, findSimEntry, helpCachePath, loadRuntimeFlags, parseVersionOutput, type RuntimeDeps, venvEnv } from './runtime';

const FIXTURE = fileURLToPath(new URL('./fixtures/help-all-v0.13-excerpt.txt', import.meta.url));
const SYS_PATH = '/usr/bin:/bin';

let root: string;
let proj: string;
let home: string;
let pathBin: string;

async function script(path: string, body: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `#!/bin/bash\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** A fake `vllm`: prints `version` for --version (after a warning on stderr, like real builds), `help` for serve --help=all. */
function fakeVllm(version: string, extra = ''): string {
  return [
    extra,
    'if [ "$1" = "--version" ]; then echo "WARNING: some import warning" >&2; echo "INFO 01-20 18:22:20 [__init__.py:216] Automatically detected platform cuda."; echo ' +
      version +
      '; exit 0; fi',
    `if [ "$1" = "serve" ] && [ "$2" = "--help=all" ]; then cat '${FIXTURE}'; exit 0; fi`,
    'echo "usage: vllm [-h]" >&2; exit 2',
  ].join('\n');
}

function deps(run: RunCommand = execaRun, extraPath: string[] = []): RuntimeDeps {
  return {
    run,
    env: { PATH: [...extraPath, SYS_PATH].join(':'), HOME: home },
    paths: { configDir: join(root, 'config'), dataDir: join(root, 'data'), cacheDir: join(root, 'cache'), cwd: proj },
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vllm-panel-runtime-'));
  proj = join(root, 'proj');
  home = join(root, 'home');
  pathBin = join(root, 'pathbin');
  // ./.venv: only answers when activated (VIRTUAL_ENV points at it), proving venvEnv is applied.
  await script(
    join(proj, '.venv', 'bin', 'vllm'),
    `if [ "$VIRTUAL_ENV" != "${join(proj, '.venv')}" ]; then echo "not activated" >&2; exit 1; fi\n${fakeVllm('0.13.0')}`,
  );
  await script(join(proj, 'venv', 'bin', 'vllm'), fakeVllm('0.11.1'));
  await script(join(pathBin, 'vllm'), fakeVllm('0.14.0rc2.dev126+g38bf2ffb2'));
  // A user venv whose vllm script is broken but whose python can import vllm.
  await script(join(root, 'uv', 'bin', 'vllm'), 'echo "Traceback: ImportError: libcudart.so.12" >&2; exit 1');
  await script(join(root, 'uv', 'bin', 'python'), 'if [ "$1" = "-c" ]; then echo 0.12.0; exit 0; fi; exit 1');
  await script(join(home, 'miniconda3', 'envs', 'vl', 'bin', 'vllm'), fakeVllm('0.10.2'));
  await mkdir(join(home, 'miniconda3', 'envs', 'empty'), { recursive: true });
  await script(join(root, 'active-conda', 'bin', 'vllm'), fakeVllm('0.30.0'));
  await script(join(root, 'odd', 'bin', 'vllm'), 'echo "hello from a wrapper"');
  await writeFile(join(root, 'sim.js'), "if (process.argv.includes('--version')) console.log('0.13.0');\n");
}, 20_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('detectRuntimes', () => {
  it('finds venvs, PATH, user venvs, conda, custom and the simulator, with versions', async () => {
    const d = deps(execaRun, [pathBin, join(proj, '.venv', 'bin')]);
    d.env.CONDA_PREFIX = join(root, 'active-conda');
    const list = await detectRuntimes(d, {
      cwd: proj,
      home,
      extraVenvs: [join(root, 'uv'), join(root, 'missing')],
      customCommand: [join(pathBin, 'vllm')],
      simEntry: join(root, 'sim.js'),
    });
    const byId = Object.fromEntries(list.map((r) => [r.id, r]));
    expect(list.map((r) => r.id)).toEqual([
      `venv:${join(proj, '.venv')}`,
      `venv:${join(proj, 'venv')}`,
      `path:${join(pathBin, 'vllm')}`, // .venv/bin on PATH too: listed once, as the venv
      `venv:${join(root, 'uv')}`,
      `venv:${join(root, 'missing')}`,
      `conda:${join(root, 'active-conda')}`,
      `conda:${join(home, 'miniconda3', 'envs', 'vl')}`,
      'custom',
      'sim',
    ]);
    expect(byId[`venv:${join(proj, '.venv')}`]).toMatchObject({
      kind: 'venv',
      version: '0.13.0',
      venvDir: join(proj, '.venv'),
      argv: [join(proj, '.venv', 'bin', 'vllm')],
    });
    expect(byId[`venv:${join(proj, 'venv')}`]?.version).toBe('0.11.1');
    expect(byId[`path:${join(pathBin, 'vllm')}`]).toMatchObject({ kind: 'path', version: '0.14.0rc2.dev126+g38bf2ffb2' });
    expect(byId[`venv:${join(root, 'uv')}`]).toMatchObject({ version: '0.12.0' }); // python -c fallback
    expect(byId[`venv:${join(root, 'missing')}`]?.error).toMatch(/No executable bin\/vllm/);
    expect(byId[`conda:${join(root, 'active-conda')}`]).toMatchObject({
      kind: 'conda',
      version: '0.30.0',
      label: expect.stringMatching(/active/),
    });
    expect(byId[`conda:${join(home, 'miniconda3', 'envs', 'vl')}`]?.version).toBe('0.10.2');
    expect(byId.custom).toMatchObject({ kind: 'custom', version: '0.14.0rc2.dev126+g38bf2ffb2' });
    expect(byId.sim).toMatchObject({
      kind: 'sim',
      label: 'Simulator (no GPU)',
      argv: [process.execPath, join(root, 'sim.js')],
      version: '0.13.0',
    });
  }, 30_000);

  it('reports a broken install and a missing simulator build instead of failing', async () => {
    const list = await detectRuntimes(deps(), {
      cwd: join(root, 'nowhere'),
      home: join(root, 'nohome'),
      extraVenvs: [join(root, 'odd')],
      simEntry: join(root, 'nope.js'),
    });
    expect(list.map((r) => r.kind)).toEqual(['venv', 'sim']);
    expect(list[1]?.error).toMatch(/not built/);
    expect(list[0]?.version).toBeUndefined();
    expect(list[0]?.error).toMatch(/printed no version number: hello from a wrapper/);
  }, 30_000);

  it('turns a timeout or a failure into a readable error', async () => {
    const fake: RunCommand = async (file) =>
      file.endsWith('python')
        ? { exitCode: 1, stdout: '', stderr: "ModuleNotFoundError: No module named 'vllm'", timedOut: false }
        : { exitCode: null, stdout: '', stderr: '', timedOut: true };
    const list = await detectRuntimes(deps(fake), { cwd: proj, home: join(root, 'nohome'), simEntry: null });
    const v = list.find((r) => r.id === `venv:${join(proj, '.venv')}`);
    expect(v?.version).toBeUndefined();
    expect(v?.error).toMatch(/did not answer within 30 s.*No module named 'vllm'/);
  });
});

describe('version output and venv env', () => {
  it('parses the last version-looking line', () => {
    expect(parseVersionOutput('0.13.0\n')).toBe('0.13.0');
    expect(parseVersionOutput('INFO 01-20 [__init__.py:216] Automatically detected platform cuda.\n0.14.0rc2.dev126+g38bf2ffb2\n')).toBe(
      '0.14.0rc2.dev126+g38bf2ffb2',
    );
    expect(parseVersionOutput('vllm v0.22.0')).toBe('0.22.0');
    expect(parseVersionOutput('Traceback (most recent call last):')).toBeUndefined();
  });

  it('activates a venv for the child: bin first on PATH, VIRTUAL_ENV, no PYTHONHOME', () => {
    const env = venvEnv('/p/.venv', { PATH: '/usr/bin', PYTHONHOME: '/opt/py', KEEP: '1' });
    expect(env).toEqual({ PATH: '/p/.venv/bin:/usr/bin', VIRTUAL_ENV: '/p/.venv', KEEP: '1' });
    expect(venvEnv('/c/envs/x', {}, 'conda')).toEqual({ PATH: '/c/envs/x/bin', CONDA_PREFIX: '/c/envs/x', CONDA_DEFAULT_ENV: 'x' });
  });

  it('finds dist/sim.js at the package root from the source tree', async () => {
    expect(await findSimEntry()).toBe(fileURLToPath(new URL('../../dist/sim.js', import.meta.url)));
    expect(await findSimEntry('/')).toBeUndefined();
  });
});

describe('loadRuntimeFlags', () => {
  it('parses --help=all once per version, then uses the cache', async () => {
    const d = deps();
    const calls: string[][] = [];
    const counting: RunCommand = (file, args, opts) => {
      calls.push([file, ...args]);
      return execaRun(file, args, opts);
    };
    d.run = counting;
    const rt = {
      id: 'x',
      kind: 'venv' as const,
      label: 'x',
      argv: [join(proj, 'venv', 'bin', 'vllm')],
      venvDir: join(proj, 'venv'),
      version: '0.11.1',
    };
    const first = await loadRuntimeFlags(d, rt);
    expect(first.origin).toBe('help');
    expect(first.catalog.source).toBe('help');
    expect(first.catalog.has('brand-new-flag')).toBe(true);
    expect(first.catalog.get('max-model-len')?.kind).toBe('hr-int');
    expect(calls).toEqual([[join(proj, 'venv', 'bin', 'vllm'), 'serve', '--help=all']]);

    const second = await loadRuntimeFlags(d, rt);
    expect(second.origin).toBe('cache');
    expect(second.catalog.all().map((f) => f.name)).toEqual(first.catalog.all().map((f) => f.name));
    expect(calls).toHaveLength(1);
    // The simulator never shares a cache entry with a real vLLM of the same version.
    expect(helpCachePath(d.paths.cacheDir, { ...rt, kind: 'sim' }, '0.11.1')).not.toBe(helpCachePath(d.paths.cacheDir, rt, '0.11.1'));
  }, 30_000);

  it('sets a corrupt cache file aside and reads the help again', async () => {
    const d = deps();
    const rt = { id: 'y', kind: 'path' as const, label: 'y', argv: [join(pathBin, 'vllm')], version: '0.14.0rc2.dev126+g38bf2ffb2' };
    const file = helpCachePath(d.paths.cacheDir, rt, rt.version);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, '{"schema": 1, "flags": "nope"');
    const r = await loadRuntimeFlags(d, rt);
    expect(r.origin).toBe('help');
    expect(r.note).toMatch(/set aside/);
    const names = await readdir(join(file, '..'));
    expect(names.some((n) => n.includes('.corrupt-'))).toBe(true);
  }, 30_000);

  it('falls back to the built-in catalog with a note when help fails', async () => {
    const d = deps();
    const rt = {
      id: 'z',
      kind: 'venv' as const,
      label: 'z',
      argv: [join(root, 'uv', 'bin', 'vllm')],
      venvDir: join(root, 'uv'),
      version: '0.12.0',
    };
    const r = await loadRuntimeFlags(d, rt);
    expect(r.origin).toBe('builtin');
    expect(r.catalog.source).toBe('builtin');
    expect(r.catalog.version).toBe('0.12.0');
    expect(r.note).toMatch(/failed \(exit 1\): Traceback: ImportError: libcudart\.so\.12.*built-in catalog for 0\.12\.0/);
  }, 30_000);
});
