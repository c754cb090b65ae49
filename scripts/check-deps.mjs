// Enforces DESIGN.md's dependency rule on every import in the repo (the lint step runs it;
// scripts/check-deps.test.ts proves it catches violations). Layers by folder:
//   app/contract      zod only
//   app/*             app/*, Node, npm libs — never electron, electron/, renderer/
//   electron/preload  electron + app/contract/channels only
//   electron/main     electron, app/* — never renderer/
//   renderer          React libs, zustand, recharts, app/contract — no electron, no Node, no other app/
//   sim               app/contract, app/launch, Node — never electron, renderer
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
// The repo this script lives in, unless the command line names another (tests import this module,
// so process.argv belongs to the test runner then).
const defaultRoot = isMain && process.argv[2] ? resolve(process.argv[2]) : fileURLToPath(new URL('..', import.meta.url));
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const importRe =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist' || e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(e) && !/\.d\.ts$/.test(e)) out.push(p);
  }
  return out;
}

function layerOf(rel) {
  if (rel.startsWith('app/contract/')) return 'contract';
  if (rel.startsWith('app/')) return 'app';
  if (rel.startsWith('electron/preload/')) return 'preload';
  if (rel.startsWith('electron/')) return 'main';
  if (rel.startsWith('renderer/')) return 'renderer';
  if (rel.startsWith('sim/')) return 'sim';
  return undefined;
}

/** Returns a reason string when `spec` (imported from file `rel`) breaks the rule, else undefined. */
export function violation(rel, spec, root = defaultRoot) {
  const layer = layerOf(rel);
  if (!layer) return undefined;
  const isTest = /\.test\.tsx?$/.test(rel);
  const isElectron = spec === 'electron' || spec.startsWith('electron/');
  const isNode = nodeBuiltins.has(spec);
  const target = spec.startsWith('.') ? relative(root, resolve(root, dirname(rel), spec)).replaceAll('\\', '/') : undefined;
  const inRepo = (prefix) => target !== undefined && (target === prefix || target.startsWith(`${prefix}/`));
  switch (layer) {
    case 'contract':
      if (isTest) return undefined;
      if (target !== undefined) return inRepo('app/contract') ? undefined : 'app/contract may import only app/contract';
      return spec === 'zod' ? undefined : `app/contract may import only zod (found '${spec}')`;
    case 'app':
      if (isElectron) return 'app/ must never import electron';
      if (inRepo('electron') || inRepo('renderer')) return 'app/ must not import electron/ or renderer/';
      return undefined;
    case 'preload':
      if (isElectron) return undefined;
      // Tests never ship in the sandboxed bundle; they may use vitest, esbuild, Node.
      if (isTest || inRepo('electron/preload')) return undefined;
      if (target !== undefined && /^app\/contract\/channels(\.ts)?$/.test(target)) return undefined;
      return `electron/preload may import only electron and app/contract/channels (found '${spec}')`;
    case 'main':
      return inRepo('renderer') ? 'electron/main must not import renderer/' : undefined;
    case 'renderer':
      if (isElectron) return 'renderer must never import electron';
      if (isNode && !isTest) return `renderer must not import Node built-ins (found '${spec}')`;
      if (target !== undefined && !inRepo('renderer') && !inRepo('app/contract'))
        return `renderer may import only app/contract from the core (found '${spec}')`;
      return undefined;
    case 'sim':
      if (isElectron) return 'sim must never import electron';
      if (inRepo('renderer') || inRepo('electron')) return 'sim must not import renderer/ or electron/';
      if (target?.startsWith('app/') && !['app/contract', 'app/launch'].some(inRepo)) {
        return `sim may import only app/contract and app/launch from the core (found '${spec}')`;
      }
      return undefined;
  }
  return undefined;
}

export function check(root = defaultRoot) {
  const problems = [];
  for (const dir of ['app', 'electron', 'renderer', 'sim']) {
    for (const file of walk(join(root, dir))) {
      const rel = relative(root, file).replaceAll('\\', '/');
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2] ?? m[3];
        const why = spec && violation(rel, spec, root);
        if (why) problems.push(`${rel}: imports '${spec}': ${why}`);
      }
    }
  }
  return problems;
}

if (isMain) {
  const problems = check();
  if (problems.length) {
    console.error(`Dependency rule broken (DESIGN.md):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('check-deps: dependency rule holds');
}
