// Proves scripts/check-deps.mjs (the lint step for DESIGN.md's dependency rule) flags what the
// rule forbids, lets through what it allows, and finds nothing in the real repo.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check as runCheck, violation as v } from './check-deps.mjs';

describe('violation(): forbidden imports are flagged', () => {
  it.each([
    ['renderer/src/App.tsx', 'node:fs', /Node built-ins/],
    ['renderer/src/App.tsx', 'fs', /Node built-ins/],
    ['renderer/src/stores/x-store.ts', 'child_process', /Node built-ins/],
    ['renderer/src/App.tsx', 'electron', /never import electron/],
    ['renderer/src/App.tsx', 'electron/renderer', /never import electron/],
    ['renderer/src/App.tsx', '../../app/gpu/nvidia-smi', /only app\/contract/],
    ['renderer/src/pages/Gpus.tsx', '../../../app/host/core', /only app\/contract/],
    ['renderer/src/App.tsx', '../../electron/preload/bridge', /only app\/contract/],
    ['app/host/core.ts', 'electron', /never import electron/],
    ['app/gpu/poller.ts', 'electron/main', /never import electron/],
    ['app/host/core.ts', '../../electron/main/ipc', /must not import electron\/ or renderer\//],
    ['app/cli/main.ts', '../../renderer/src/App', /must not import electron\/ or renderer\//],
    ['app/contract/gpu.ts', 'node:fs', /only zod/],
    ['app/contract/gpu.ts', 'execa', /only zod/],
    ['app/contract/gpu.ts', '../host/deps', /only app\/contract/],
    ['electron/preload/index.ts', 'zod', /preload may import only/],
    ['electron/preload/index.ts', 'node:fs', /preload may import only/],
    ['electron/preload/index.ts', '../../app/contract/index', /preload may import only/],
    ['electron/preload/bridge.ts', '../../app/contract/channels-extra', /preload may import only/],
    ['electron/preload/index.ts', '../main/ipc', /preload may import only/],
    ['electron/main/index.ts', '../../renderer/src/App', /must not import renderer/],
    ['sim/main.ts', 'electron', /never import electron/],
    ['sim/main.ts', '../renderer/src/App', /must not import renderer/],
    ['sim/engine.ts', '../app/server/supervisor', /only app\/contract and app\/launch/],
  ])('%s importing %s', (rel, spec, why) => {
    expect(v(rel, spec)).toMatch(why);
  });
});

describe('violation(): allowed imports pass', () => {
  it.each([
    ['renderer/src/App.tsx', 'react'],
    ['renderer/src/App.tsx', 'zustand'],
    ['renderer/src/App.tsx', 'recharts'],
    ['renderer/src/App.tsx', './components/Header'],
    ['renderer/src/api/transport.ts', '../contract'],
    ['renderer/src/contract.ts', '../../app/contract/index'],
    // Renderer tests may use Node helpers; the shipped renderer may not.
    ['renderer/src/api/ws-transport.test.ts', 'node:events'],
    ['app/host/core.ts', 'node:fs'],
    ['app/host/core.ts', '../contract/index'],
    ['app/gpu/poller.ts', 'execa'],
    ['app/contract/index.ts', 'zod'],
    ['app/contract/index.ts', './gpu'],
    ['electron/preload/index.ts', 'electron'],
    ['electron/preload/index.ts', './bridge'],
    ['electron/preload/bridge.ts', '../../app/contract/channels'],
    ['electron/preload/bridge.test.ts', 'vitest'],
    ['electron/preload/bundle.test.ts', 'esbuild'],
    ['electron/main/index.ts', 'electron'],
    ['electron/main/index.ts', '../../app/host/core'],
    ['electron/main/index.ts', 'node:url'],
    ['sim/main.ts', '../app/contract/index'],
    ['sim/main.ts', '../app/launch/flags'],
    ['sim/main.ts', 'node:http'],
    // Files outside the layers (scripts, e2e, bench) are not governed by the rule.
    ['scripts/build.mjs', 'electron'],
  ])('%s importing %s', (rel, spec) => {
    expect(v(rel, spec)).toBeUndefined();
  });
});

describe('check()', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'check-deps-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), text);
  };

  it('finds violations in files, in every import form', () => {
    put('app/host/bad.ts', "import { app } from 'electron';\n");
    put('app/gpu/lazy.ts', "export async function f() { return import('electron'); }\n");
    put('app/server/req.cjs.ts', "const e = require('electron');\n");
    put('renderer/src/Bad.tsx', "import type { GpuInfo } from '../../app/gpu/types';\nimport {\n  readFileSync,\n} from 'node:fs';\n");
    put('electron/preload/index.ts', "import { z } from 'zod';\nexport * from '../../app/contract/index';\n");
    put('renderer/src/Good.tsx', "import { useState } from 'react';\nimport type { Settings } from '../../app/contract/index';\n");
    put('node_modules/x/index.ts', "import 'electron';\n");
    const problems = runCheck(tmp);
    expect(problems.sort()).toEqual(
      [
        "app/host/bad.ts: imports 'electron': app/ must never import electron",
        "app/gpu/lazy.ts: imports 'electron': app/ must never import electron",
        "app/server/req.cjs.ts: imports 'electron': app/ must never import electron",
        "renderer/src/Bad.tsx: imports '../../app/gpu/types': renderer may import only app/contract from the core (found '../../app/gpu/types')",
        "renderer/src/Bad.tsx: imports 'node:fs': renderer must not import Node built-ins (found 'node:fs')",
        "electron/preload/index.ts: imports 'zod': electron/preload may import only electron and app/contract/channels (found 'zod')",
        "electron/preload/index.ts: imports '../../app/contract/index': electron/preload may import only electron and app/contract/channels (found '../../app/contract/index')",
      ].sort(),
    );
  });

  it('finds no problem in the real repository', () => {
    expect(runCheck()).toEqual([]);
  });
});
