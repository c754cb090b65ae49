// Conformance: the flags real vLLM runs accepted ("non-default args: {…}" lines of the logs in
// ../shared/reference/vllm-logs) exist in our catalog for that version and their values pass our
// checks; the flags a real run refused are reported as removed. Run: npm run test:conformance
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getCatalog } from './catalog';
import { checkFlagValue, parsePythonLiteral } from './flag-value';
import type { FlagValue } from './types';

const LOGS = fileURLToPath(new URL('../../../shared/reference/vllm-logs/', import.meta.url));
const files = readdirSync(LOGS).filter((f) => f.endsWith('.log'));

interface Run {
  file: string;
  version: string;
  args: Record<string, unknown>;
}

function runs(): Run[] {
  const out: Run[] = [];
  for (const file of files) {
    let version: string | undefined;
    for (const line of readFileSync(join(LOGS, file), 'utf8').split('\n')) {
      const v = /vLLM API server version (\d+\.\d+\S*)|\bversion\s+v?(\d+\.\d+\.\d+\S*)/.exec(line);
      if (v) version = (v[1] ?? v[2]) as string;
      const m = /non-default args: (\{.*\})\s*$/.exec(line);
      if (!m || !version) continue;
      // Dataclass reprs (StructuredOutputsConfig(backend='xgrammar', …)) and enum reprs
      // (<CUDAGraphMode.PIECEWISE: 1>) are not literals.
      const text = (m[1] as string).replace(/\b[A-Z]\w*\([^()]*\)/g, '{}').replace(/<[\w.]+: [^<>]*>/g, 'None');
      const parsed = parsePythonLiteral(text);
      if (!parsed) throw new Error(`${file}: cannot parse ${text.slice(0, 120)}`);
      out.push({ file, version, args: parsed.value as Record<string, unknown> });
    }
  }
  return out;
}

function asFlagValue(v: unknown): FlagValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return JSON.stringify(v);
}

describe('catalog vs real vLLM runs', () => {
  const all = runs();

  it('found the runs of the reference logs', () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(new Set(all.map((r) => r.version.slice(0, 4)))).toEqual(new Set(['0.13', '0.14']));
  });

  it('knows every flag those runs used, with values our checks accept', () => {
    for (const run of all) {
      const catalog = getCatalog(run.version);
      for (const [key, value] of Object.entries(run.args)) {
        if (key === 'model_tag') continue;
        const spec = catalog.get(key);
        expect(spec, `${run.file} (${run.version}): --${key}`).toBeDefined();
        if (!spec) continue;
        expect(catalog.removed(key), key).toBeUndefined();
        const r = checkFlagValue(spec, asFlagValue(value));
        expect(r.ok, `${run.file}: --${key}=${JSON.stringify(value)} ${r.ok ? '' : r.message}`).toBe(true);
      }
    }
  });

  it('reports the flag a real 0.13.0 refused as removed', () => {
    const log = readFileSync(join(LOGS, files.find((f) => f.startsWith('11-')) as string), 'utf8');
    const version = /vLLM Version (\d+\.\d+\.\d+)/.exec(log)?.[1] as string;
    const refused = /unrecognized arguments: (--[\w-]+)/.exec(log)?.[1] as string;
    expect(version).toBe('0.13.0');
    expect(getCatalog(version).has(refused)).toBe(false);
    expect(getCatalog(version).removed(refused)?.replacementFlag).toBe('structured-outputs-config.backend');
  });
});
