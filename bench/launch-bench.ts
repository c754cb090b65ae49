// Launch-planning benchmark (issue 3: "A benchmark reports planner and validation time per call").
// Prints the mean time per call of each case next to a trivial baseline measured in the same run,
// so numbers from different machines can be compared by their ratio. Run: npm run bench:launch
// Cases are plain functions; the planner's cases belong in PLANNER_CASES below.
import { performance } from 'node:perf_hooks';
import { parseServeArgs } from '../app/launch/argv';
import { getCatalog } from '../app/launch/catalog';
import { parseHelpAll } from '../app/launch/help-parser';
import { renderHelpAll } from '../app/launch/help-render';
import { ModelConfigCache } from '../app/launch/model-config';
import { builtinGeometry, geometryFromConfig, type ModelGeometry } from '../app/launch/model-geometry';
import { type PlannerInput, plan } from '../app/launch/planner';
import { BUILTIN_PROFILES } from '../app/launch/profiles';
import type { FlagValues } from '../app/launch/types';
import { validateFlags } from '../app/launch/validate';

interface Case {
  name: string;
  fn: () => unknown;
}

/** Runs `fn` in batches until `minMs` has passed; returns the mean and the best batch mean (ns/call). */
function measure(fn: () => unknown, minMs = 400): { meanNs: number; bestNs: number; calls: number } {
  let sink: unknown;
  for (let i = 0; i < 50; i++) sink = fn(); // warm-up (JIT)
  let batch = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) sink = fn();
    if (performance.now() - t > 10) break;
    batch *= 2;
  }
  let calls = 0;
  let best = Number.POSITIVE_INFINITY;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) sink = fn();
    const per = ((performance.now() - t) * 1e6) / batch;
    if (per < best) best = per;
    calls += batch;
  }
  const meanNs = ((performance.now() - start) * 1e6) / calls;
  if (sink === Symbol.for('never')) console.log(sink); // keep the result alive
  return { meanNs, bestNs: best, calls };
}

const fmt = (ns: number): string =>
  ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;

// THROUGHPUT profile of the launcher we replace, plus the flags the command builder adds.
const THROUGHPUT: FlagValues = {
  'max-num-seqs': 64,
  'max-num-batched-tokens': 16384,
  'max-model-len': 32768,
  'mamba-ssm-cache-dtype': 'float32',
  'trust-remote-code': true,
  'kv-cache-dtype': 'fp8_e5m2',
  'gpu-memory-utilization': 0.95,
  'enable-prefix-caching': true,
  'api-server-count': 1,
  'data-parallel-size': 2,
  port: 8000,
  host: '127.0.0.1',
  'served-model-name': ['nemotron-nano-12b-v2'],
  'attention-backend': 'FLASHINFER',
};
const BROKEN: FlagValues = {
  ...THROUGHPUT,
  'max-num-seq': 64, // typo → did-you-mean over every catalog name
  'enable-reasoning': true,
  'max-num-batched-tokens': 32,
  'gpu-memory-utilization': 1.5,
};
const ENV = { TOKENIZERS_PARALLELISM: 'false', OMP_NUM_THREADS: '1', VLLM_USE_V1: '1' };

const v13 = getCatalog('0.13.0');
const helpText = renderHelpAll(v13);
const helpFlags = parseHelpAll(helpText);
const argv = [
  'serve',
  'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
  '--trust-remote-code',
  '--mamba_ssm_cache_dtype',
  'float32',
  '--max-num-seqs',
  '64',
];

const LAUNCH_CASES: Case[] = [
  { name: 'validateFlags THROUGHPUT (valid, 2 GPUs)', fn: () => validateFlags(THROUGHPUT, { catalog: v13, gpuCount: 2, env: ENV }) },
  { name: 'validateFlags with 4 errors (did-you-mean)', fn: () => validateFlags(BROKEN, { catalog: v13, gpuCount: 2 }) },
  { name: 'getCatalog(version) (memoized)', fn: () => getCatalog('0.13.0') },
  { name: 'getCatalog(version, helpFlags) (merge)', fn: () => getCatalog('0.13.0', helpFlags) },
  { name: 'parseServeArgs (launcher argv)', fn: () => parseServeArgs(argv, v13) },
];
const SLOW_CASES: Case[] = [
  { name: `parseHelpAll (${(helpText.length / 1024).toFixed(0)} KB --help=all)`, fn: () => parseHelpAll(helpText) },
  { name: 'renderHelpAll', fn: () => renderHelpAll(v13) },
];
// Planner (app/launch/planner.ts): one plan() per keystroke in the UI. Inputs are built once; the
// baseline for these rows is JSON.parse of the same input (what merely receiving it over IPC costs).
const nemotron = builtinGeometry('nvidia/NVIDIA-Nemotron-Nano-12B-v2');
if (!nemotron?.ok) throw new Error('built-in Nemotron geometry missing');
// Llama-3.1-8B-shaped dense model (32 layers, 8 KV heads × 128).
const dense = geometryFromConfig(
  {
    model_type: 'llama',
    hidden_size: 4096,
    intermediate_size: 14336,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    vocab_size: 128256,
    max_position_embeddings: 131072,
  },
  { modelId: 'dense-8b', source: 'local' },
);
if (!dense.ok) throw new Error(dense.reason);
const planInput = (geometry: ModelGeometry, flags: FlagValues): PlannerInput => ({
  model: { ok: true, geometry },
  gpu: { memoryGiB: 79.2, usedGiB: 0.5, count: 2, name: 'NVIDIA H100 80GB HBM3' },
  flags: { ...flags, 'data-parallel-size': 2 },
});
const plannerInputs: [string, PlannerInput][] = [
  ...BUILTIN_PROFILES.map((p): [string, PlannerInput] => [
    `plan() ${p.name} (Nemotron 12B hybrid, 2× H100)`,
    planInput(nemotron.geometry, p.flags),
  ]),
  ['plan() dense 8B, 32k context (2× H100)', planInput(dense.geometry, { 'max-model-len': 32768, 'max-num-seqs': 64 })],
  // A failing plan also checks each fix by planning again with it applied.
  [
    'plan() will-fail + verified fixes (40 GB, seqs 512)',
    { ...planInput(nemotron.geometry, { ...(BUILTIN_PROFILES[0]?.flags ?? {}), 'max-num-seqs': 512 }), gpu: { memoryGiB: 39.4 } },
  ],
];
const plannerJson = JSON.stringify(plannerInputs[0]?.[1]);
const PLANNER_BASELINE: Case = { name: 'planner baseline: JSON.parse of the plan input', fn: () => JSON.parse(plannerJson) };
const PLANNER_CASES: Case[] = plannerInputs.map(([name, input]) => ({ name, fn: () => plan(input) }));

// Trivial baseline: touch every flag value once (what any validation must at least do).
const baseline: Case = {
  name: 'baseline: iterate the flag values',
  fn: () => {
    let n = 0;
    for (const [k, v] of Object.entries(THROUGHPUT)) n += k.length + (typeof v === 'number' ? v : 1);
    return n;
  },
};

const rows: [string, string, string, string][] = [];
const base = measure(baseline.fn);
rows.push([baseline.name, fmt(base.meanNs), fmt(base.bestNs), '1×']);
for (const c of [...LAUNCH_CASES, ...SLOW_CASES]) {
  const m = measure(c.fn);
  const ratio = m.meanNs / base.meanNs;
  rows.push([c.name, fmt(m.meanNs), fmt(m.bestNs), `${ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}×`]);
}
const w = [0, 1, 2, 3].map((i) =>
  Math.max(...rows.map((r) => r[i]?.length ?? 0), ['case', 'mean/call', 'best batch', 'vs baseline'][i]?.length ?? 0),
);
const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))).join('  ');
console.log(`launch bench — node ${process.version}, ${process.platform}/${process.arch}`);
console.log(line(['case', 'mean/call', 'best batch', 'vs baseline']));
for (const r of rows) console.log(line(r));

// Planner rows against their own baseline (same run), and the per-keystroke path through the
// model-config cache (fs stat of the HF cache + plan) for the built-in model.
const pBase = measure(PLANNER_BASELINE.fn);
const prow: [string, string, string][] = [[PLANNER_BASELINE.name, fmt(pBase.meanNs), '1×']];
for (const c of PLANNER_CASES) {
  const m = measure(c.fn);
  const ratio = m.meanNs / pBase.meanNs;
  prow.push([c.name, fmt(m.meanNs), `${ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}×`]);
}
const configs = new ModelConfigCache();
const env = { HF_HOME: '/nonexistent-hf-home-for-bench' };
const N = 2000;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const m = await configs.load('nvidia/NVIDIA-Nemotron-Nano-12B-v2', { env });
  if (m.ok) plan({ ...planInput(m.geometry, BUILTIN_PROFILES[0]?.flags ?? {}) });
}
const keystrokeNs = ((performance.now() - t0) * 1e6) / N;
prow.push(['config lookup (built-in, HF cache miss) + plan()', fmt(keystrokeNs), `${(keystrokeNs / pBase.meanNs).toFixed(0)}×`]);
const pw = [0, 1, 2].map((i) =>
  Math.max(...prow.map((r) => r[i]?.length ?? 0), ['planner case', 'mean/call', 'vs JSON.parse'][i]?.length ?? 0),
);
const pline = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(pw[i] as number) : c.padStart(pw[i] as number))).join('  ');
console.log('');
console.log(pline(['planner case', 'mean/call', 'vs JSON.parse']));
for (const r of prow) console.log(pline(r));
