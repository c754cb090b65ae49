import type { PlanResult } from '../../contract/planner';
import { loadModelConfig } from '../../launch/model-config';
import { type PlannerGpu, plan } from '../../launch/planner';
import { GiB, pyFixed, pyThousands } from '../../launch/planner-format';
import { plannerGpuFromSnapshot } from '../../launch/planner-handlers';
import { BUILTIN_PROFILES, DEFAULT_MODEL } from '../../launch/profiles';
import type { FlagValues, Profile } from '../../launch/types';
import { type CliCommand, UsageError } from '../types';
import { overridesFrom } from './command';

const USAGE = [
  'Usage: vllm-panel plan [--model ID_OR_PATH] [--gpu-mem-gib N] [--gpus K] [--profile P] [--set FLAG=VALUE]...',
  '                       [--available-kv-gib X] [--used-gib U] [--vllm-version V] [--hf-home DIR] [--json]',
  '',
  'Will the model fit? Estimates weights, overhead and KV cache per GPU the way vLLM sizes them',
  '(hybrid Mamba/attention models included) and prints a verdict with concrete fixes.',
  '',
  'Options:',
  '  --model ID_OR_PATH    HF id (read offline from the HF cache) or a local folder with config.json',
  "                        (default: the profile's model, else nvidia/NVIDIA-Nemotron-Nano-12B-v2)",
  '  --gpu-mem-gib N       memory per GPU as CUDA reports it, GiB (e.g. 79.2 for an 80 GB H100);',
  '                        default: the selected GPUs from nvidia-smi',
  '  --gpus K              number of GPUs (data parallel, one full copy each; default 1)',
  '  --profile P           built-in profile: THROUGHPUT, LOW_LATENCY, LONG_CONTEXT (or a saved profile)',
  '  --set FLAG=VALUE      change one vLLM flag (repeatable): --set max-num-seqs=32 --set max-model-len=48k',
  '  --available-kv-gib X  vLLM\'s "Available KV cache memory" line: predict the KV lines it prints next',
  '  --used-gib U          GPU memory other processes already use (per GPU)',
  "  --vllm-version V      plan for this vLLM version's defaults (default: the newest known)",
  '  --hf-home DIR         Hugging Face home to look the model up in (default $HF_HOME or ~/.cache/huggingface)',
  '',
  'Exit status: 0 fits or tight, 1 will fail, 3 estimate unavailable or GPU unknown, 2 usage.',
].join('\n');

interface PlanArgs {
  model?: string;
  gpuMemGiB?: number;
  gpus?: number;
  profile?: string;
  sets: { name: string; raw: string | undefined }[];
  availableKvGiB?: number;
  usedGiB?: number;
  vllmVersion?: string;
  hfHome?: string;
}

function positiveNumber(opt: string, v: string, allowZero = false, allowNegative = false): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (!allowNegative && (n < 0 || (!allowZero && n === 0)))) {
    throw new UsageError(`${opt} needs a ${allowNegative ? '' : allowZero ? 'non-negative ' : 'positive '}number (got '${v}')`);
  }
  return n;
}

export function parsePlanArgs(args: string[]): PlanArgs {
  const out: PlanArgs = { sets: [] };
  const valueOpts = new Set([
    '--model',
    '--gpu-mem-gib',
    '--gpus',
    '--profile',
    '--set',
    '--available-kv-gib',
    '--used-gib',
    '--vllm-version',
    '--hf-home',
  ]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.indexOf('=');
    const opt = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (!valueOpts.has(opt)) throw new UsageError(`unknown option '${a}'`);
    let value: string;
    if (opt !== a) value = a.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`${opt} needs a value`);
      value = next;
      i++;
    }
    switch (opt) {
      case '--model':
        out.model = value;
        break;
      case '--gpu-mem-gib':
        out.gpuMemGiB = positiveNumber(opt, value);
        break;
      case '--gpus': {
        const n = positiveNumber(opt, value);
        if (!Number.isInteger(n)) throw new UsageError(`--gpus needs a whole number of GPUs (got '${value}')`);
        out.gpus = n;
        break;
      }
      case '--profile':
        out.profile = value;
        break;
      case '--set': {
        const k = value.indexOf('=');
        const name = (k < 0 ? value : value.slice(0, k)).trim();
        if (!name) throw new UsageError(`--set needs FLAG=VALUE (got '${value}')`);
        out.sets.push({ name, raw: k < 0 ? undefined : value.slice(k + 1) });
        break;
      }
      case '--available-kv-gib':
        out.availableKvGiB = positiveNumber(opt, value, true, true);
        break;
      case '--used-gib':
        out.usedGiB = positiveNumber(opt, value, true);
        break;
      case '--vllm-version':
        out.vllmVersion = value;
        break;
      case '--hf-home':
        out.hfHome = value;
        break;
    }
  }
  return out;
}

/** THROUGHPUT / throughput / LOW_LATENCY / low-latency → the built-in profile. */
export function findBuiltinProfile(name: string): Profile | undefined {
  const n = name.trim().toLowerCase().replaceAll('_', '-');
  return BUILTIN_PROFILES.find((p) => p.id === n || p.name.toLowerCase().replaceAll('_', '-') === n);
}

const gib = (x: number) => `${pyFixed(x)} GiB`;

function formatBytes(b: number): string {
  if (b >= GiB) return `${pyFixed(b / GiB)} GiB`;
  if (b >= 1024 ** 2) return `${pyFixed(b / 1024 ** 2)} MiB`;
  return `${pyFixed(b / 1024)} KiB`;
}

/** The human report: a compact table, the verdict, problems and fixes. */
export function formatPlan(r: PlanResult): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${k.padEnd(12)}${v}`);
  if (r.model) {
    const m = r.model;
    const layout =
      m.kind === 'hybrid'
        ? `hybrid: ${m.attentionLayers} attention + ${m.stateLayers} Mamba of ${m.numLayers} layers`
        : `dense: ${m.attentionLayers + m.slidingLayers} attention layers`;
    row(
      'Model',
      `${m.id} (${m.source === 'builtin' ? 'built-in config' : m.source === 'hf-cache' ? 'HF cache' : 'local folder'}) · ${layout}`,
    );
  }
  const s = r.settings;
  if (s) {
    row(
      'Settings',
      `max-model-len ${pyThousands(s.maxModelLen.value)} · max-num-seqs ${s.maxNumSeqs.value} · max-num-batched-tokens ${pyThousands(s.maxNumBatchedTokens.value)} · ` +
        `kv-cache-dtype ${s.kvCacheDtype}${s.mambaSsmCacheDtype ? ` · mamba-ssm ${s.mambaSsmCacheDtype}` : ''}`,
    );
  }
  const mem = r.memory;
  if (mem && s) {
    row(
      'GPU',
      `${gib(mem.totalGiB)} × ${s.gpuCount} (DP ${s.dataParallelSize}, TP ${s.tensorParallelSize}) · util ${s.gpuMemoryUtilization.value} → ${gib(mem.budgetGiB)}` +
        `${mem.usedByOthersGiB > 0 ? ` · others use ${gib(mem.usedByOthersGiB)}` : ''}`,
    );
    row('Weights', `${gib(mem.weightsGiB)}${r.model?.weightSource === 'estimate' ? ' (estimated from config.json)' : ''}`);
    const o = mem.overhead;
    row(
      'Overhead',
      `${gib(o.totalGiB)} (activation ${pyFixed(o.activationGiB)}, non-torch ${pyFixed(o.nonTorchGiB)}, CUDA graphs ${pyFixed(o.cudaGraphsGiB)}${o.cudaGraphsInBudget ? '' : ' outside the budget'})`,
    );
  }
  const kv = r.kv;
  if (kv && (mem || r.logLines.availableKv)) {
    const avail = mem
      ? `${gib(mem.kvAvailableGiB)} ${mem.kvAvailableSource === 'estimate' ? '(estimate, ±0.5)' : `(${mem.kvAvailableSource})`}`
      : (r.logLines.availableKv ?? '');
    row(
      'KV cache',
      `${avail} · ${formatBytes(kv.kvBytesPerToken)}/token${kv.stateBytesPerSequence > 0 ? ` · Mamba state ${formatBytes(kv.stateBytesPerSequence)}/sequence` : ''}`,
    );
    if (kv.numBlocks === 0) {
      row('Blocks', 'none: nothing is left for the KV cache');
    } else {
      row(
        'Blocks',
        `${pyThousands(kv.numBlocks)} × ${formatBytes(kv.pageBytes * kv.groupSize)} (block ${pyThousands(kv.blockSize)} tokens, ${kv.groups.reduce((n, g) => n + g.groups, 0)} groups of ${kv.groupSize} layers)`,
      );
      row('KV tokens', pyThousands(kv.kvCacheTokens));
      if (s) {
        row(
          'Concurrency',
          `${pyFixed(kv.maxConcurrency)} requests of ${pyThousands(s.maxModelLen.value)} tokens${s.dataParallelSize > 1 ? ` per GPU, ${pyFixed(kv.maxConcurrencyTotal)} in all` : ''} (max-num-seqs ${s.maxNumSeqs.value})`,
        );
      }
      row('Fits up to', `max-model-len ${pyThousands(kv.maxModelLenThatFits)}`);
    }
  }
  const predicted = [r.logLines.blockSize, r.logLines.availableKv, r.logLines.kvCacheSize, r.logLines.maxConcurrency].filter(
    (x): x is string => !!x,
  );
  if (predicted.length) {
    lines.push('', 'vLLM will log:');
    for (const l of predicted) lines.push(`  ${l}`);
  }
  lines.push('', `Verdict: ${r.verdict.toUpperCase()} — ${r.summary}`);
  const shown = r.problems.filter((p) => !(r.verdict === 'will-fail' && p.severity === 'info'));
  if (shown.length) {
    lines.push('Problems:');
    for (const p of shown) {
      lines.push(`  ${p.severity.padEnd(7)} ${p.kind}: ${p.message}`);
      if (p.vllmMessage) lines.push(`          vLLM: ${p.vllmMessage}`);
    }
  }
  if (r.remedies.length) {
    lines.push('Fixes:');
    for (const f of r.remedies) {
      const a = f.action;
      const how = a?.type === 'set-flag' ? `   (--set ${a.flag}=${a.value})` : a?.type === 'kill-process' ? `   (kill ${a.pid})` : '';
      lines.push(`  - ${f.label}${how}`);
    }
  }
  if (r.assumptions.length) {
    lines.push('Assumptions:');
    for (const a of r.assumptions) lines.push(`  · ${a}`);
  }
  return lines.join('\n');
}

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'will a model + profile fit on these GPUs? KV cache, concurrency, verdict and fixes',
  usage: USAGE,
  async run(args, { io, json, getCore }) {
    const a = parsePlanArgs(args);
    let flags: FlagValues = {};
    let model = a.model;
    if (a.profile !== undefined) {
      let profile: Profile | undefined = findBuiltinProfile(a.profile);
      if (!profile) {
        // A saved profile: only the core knows the user's profiles.
        const core = await getCore();
        const list = await core.invoke('profile:list', undefined);
        const wanted = a.profile.trim().toLowerCase();
        const found = list.ok
          ? (list.value.profiles.find((p) => p.id === wanted) ?? list.value.profiles.find((p) => p.name.toLowerCase() === wanted))
          : undefined;
        if (!found) throw new UsageError(`no profile '${a.profile}' (built-in: ${BUILTIN_PROFILES.map((p) => p.name).join(', ')})`);
        profile = found as Profile;
      }
      flags = { ...profile.flags };
      model ??= profile.model;
    }
    model ??= DEFAULT_MODEL;
    flags = { ...flags, ...overridesFrom(a.sets, a.vllmVersion) };

    let gpu: PlannerGpu;
    if (a.gpuMemGiB !== undefined) {
      gpu = {
        memoryGiB: a.gpuMemGiB,
        ...(a.usedGiB !== undefined ? { usedGiB: a.usedGiB } : {}),
        ...(a.gpus !== undefined ? { count: a.gpus } : {}),
      };
    } else if (a.availableKvGiB !== undefined) {
      gpu = { memoryGiB: null, ...(a.gpus !== undefined ? { count: a.gpus } : {}) };
    } else {
      // No size given: the panel's selected GPUs (all detected GPUs when none is selected).
      const core = await getCore();
      const snap = await core.invoke('gpu:list', { maxAgeMs: 2000 });
      const sel = await core.invoke('gpu:selection', undefined);
      const gpus = snap.ok ? snap.value.gpus : [];
      let indices = sel.ok ? sel.value.indices : [];
      if (indices.length === 0) indices = gpus.map((g) => g.index).slice(0, a.gpus ?? 1);
      if (indices.length === 0) indices = [0];
      gpu = plannerGpuFromSnapshot(gpus, indices, snap.ok ? snap.value.reason : snap.error.message);
      if (gpu.memoryGiB === null)
        gpu.unknownReason = `${gpu.unknownReason ?? 'GPU memory unknown.'} Give --gpu-mem-gib N to plan without nvidia-smi.`;
      if (a.usedGiB !== undefined) gpu.usedGiB = a.usedGiB;
    }

    const loaded = await loadModelConfig(model, { env: io.env, ...(a.hfHome ? { hfHome: a.hfHome } : {}) });
    const result = plan({
      model: loaded.ok ? { ok: true, geometry: loaded.geometry } : { ok: false, reason: loaded.reason },
      gpu,
      flags,
      ...(a.availableKvGiB !== undefined ? { availableKvGiB: a.availableKvGiB } : {}),
      vllmVersion: a.vllmVersion ?? null,
    });
    io.out(json ? JSON.stringify(result, null, 2) : formatPlan(result));
    if (result.verdict === 'will-fail') return 1;
    if (result.verdict === 'unknown') return 3;
    return 0;
  },
};
