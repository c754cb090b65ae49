// Crash diagnosis: from a vLLM log (live or a file), the outcome, the root cause with the user's
// own numbers, and remedies that can be applied with one click. Message texts from
// ../shared/reference/vllm-runtime.md §6–§7 and the real logs in vllm-logs/ (matched on text,
// never on file names or line numbers).
import type { Remedy } from '../contract/common';
import { stripAnsi } from './log/ansi';
import { type Phase, PhaseTracker, type StartFacts } from './phases';

export const ERROR_KINDS = [
  'none',
  'cuda_oom',
  'insufficient_free_memory',
  'kv_cache_too_small_for_max_model_len',
  'no_kv_cache_memory',
  'mamba_cache_blocks_exceeded',
  'port_in_use',
  'unrecognized_argument',
  'invalid_argument_value',
  'remote_code_required',
  'gated_or_missing_repo',
  'engine_died',
  'unsupported_hardware_or_backend',
  'other',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
export type Outcome = 'ready' | 'failed' | 'running-then-died' | 'arg-error' | 'incomplete';

export interface DiagnosisNumbers {
  maxModelLen?: number;
  gpuKvCacheTokens?: number;
  maxConcurrency?: number;
  maxConcurrencyTokens?: number;
  estimatedMaxModelLen?: number;
  availableKvGiB?: number;
  neededKvGiB?: number;
  weightsGiB?: number;
  port?: number;
  freeGiB?: number;
  totalGiB?: number;
  desiredUtilization?: number;
  triedToAllocateGiB?: number;
  maxNumSeqs?: number;
  mambaBlocks?: number;
}

export interface Diagnosis {
  vllmVersion: string | null;
  outcome: Outcome;
  errorKind: ErrorKind;
  /** The root-cause line (not the generic "Engine core initialization failed"). */
  message: string;
  remedies: Remedy[];
  /** Last startup phase reached. */
  phase: Phase;
  numbers: DiagnosisNumbers;
  attentionBackend: string | null;
  model: string | null;
  /** 1-based index of the root-cause line in the input, when found. */
  line: number | null;
}

export interface DiagnoseContext {
  /** Values the run used (for remedies when the log does not say): e.g. max-num-seqs. */
  flags?: Record<string, unknown>;
  exitCode?: number | null;
  /** Processes holding GPU memory (from nvidia-smi), for insufficient_free_memory remedies. */
  gpuProcesses?: { pid: number; name: string; usedMiB: number; gpu: number }[];
}

/** Strips wrapper prefixes (timestamps added by other tools), process tags and vLLM's level tag. */
function messageOf(line: string): string {
  let s = line.replace(WRAPPER_PREFIX, '');
  const tag = s.lastIndexOf(' pid=');
  if (tag !== -1) {
    const close = s.indexOf(') ', tag);
    if (close !== -1) s = s.slice(close + 2);
  }
  s = s.replace(/^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) \d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \[[^\]]+\] /, '');
  return s.trim();
}

/** Timestamps other launchers prepend (`[2026-01-17 23:04:45] [INFO] `). */
const WRAPPER_PREFIX = /^\[\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?\] (?:\[\w+\] )?/;
/** A new `vllm serve` run starts here (a log file may hold several runs: diagnose the last). */
const RUN_START = /vLLM API server version \S+|█\s+version\s+v?\d+\.\d+/;

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/,/g, '')));

interface Matcher {
  kind: ErrorKind;
  re: RegExp;
  numbers?: (m: RegExpExecArray) => DiagnosisNumbers;
  /** Higher wins when several root causes appear (a specific cause beats a generic one). */
  weight: number;
}

const MATCHERS: Matcher[] = [
  { kind: 'unrecognized_argument', re: /error: unrecognized arguments: (.+)$/, weight: 90 },
  { kind: 'invalid_argument_value', re: /error: argument (-[-\w]+)(?:\/[-\w]+)*: (invalid .*|expected .*)$/, weight: 90 },
  { kind: 'invalid_argument_value', re: /TypeError: Error: (--[-\w]+ requires --[-\w]+)/, weight: 85 },
  { kind: 'invalid_argument_value', re: /KeyError: '(invalid (?:tool call|reasoning) parser: [^(]+)/, weight: 85 },
  {
    kind: 'invalid_argument_value',
    re: /ValueError: User-specified max_model_len \((\d+)\) is greater than the derived max_model_len/,
    weight: 85,
  },
  { kind: 'invalid_argument_value', re: /Quantization method specified in the model config \(\S+\) does not match/, weight: 80 },
  { kind: 'invalid_argument_value', re: /The supplied chat template string .* appears path-like, but doesn't exist/, weight: 80 },
  { kind: 'invalid_argument_value', re: /Decimals are not allowed with binary suffixes/, weight: 80 },
  {
    kind: 'port_in_use',
    re: /OSError: \[Errno 98\] (?:error while attempting to bind on address .*: )?[Aa]ddress already in use/,
    weight: 95,
  },
  {
    kind: 'insufficient_free_memory',
    re: /Free memory on device(?: (\S+))? \(([\d.]+)\/([\d.]+) GiB\) on startup is less than desired GPU memory utilization \(([\d.]+), ([\d.]+) GiB\)/,
    numbers: (m) => ({ freeGiB: num(m[2]), totalGiB: num(m[3]), desiredUtilization: num(m[4]) }),
    weight: 88,
  },
  {
    kind: 'kv_cache_too_small_for_max_model_len',
    re: /To serve at least one request with the models?'s? max seq len \((\d+)\), \(([\d.]+) GiB KV cache is needed, which is larger than the available KV cache memory \(([\d.]+) GiB\)(?:.*?estimated maximum model length is (\d+))?/,
    numbers: (m) => ({ maxModelLen: num(m[1]), neededKvGiB: num(m[2]), availableKvGiB: num(m[3]), estimatedMaxModelLen: num(m[4]) }),
    weight: 88,
  },
  {
    kind: 'kv_cache_too_small_for_max_model_len',
    re: /The model's max seq len \((\d+)\) is larger than the maximum number of tokens that can be stored in KV cache \((\d+)\)/,
    numbers: (m) => ({ maxModelLen: num(m[1]), gpuKvCacheTokens: num(m[2]), estimatedMaxModelLen: num(m[2]) }),
    weight: 88,
  },
  { kind: 'no_kv_cache_memory', re: /No available memory for the cache blocks/, weight: 87 },
  {
    kind: 'mamba_cache_blocks_exceeded',
    re: /max_num_seqs \((\d+)\) exceeds available Mamba cache blocks \((\d+)\)|exceeds available Mamba cache blocks/i,
    numbers: (m) => ({ maxNumSeqs: num(m[1]), mambaBlocks: num(m[2]) }),
    weight: 88,
  },
  {
    kind: 'cuda_oom',
    re: /(?:torch\.OutOfMemoryError: )?CUDA out of memory\. Tried to allocate ([\d.]+) (GiB|MiB)/,
    numbers: (m) => ({ triedToAllocateGiB: m[2] === 'MiB' ? Number(m[1]) / 1024 : num(m[1]) }),
    weight: 86,
  },
  { kind: 'cuda_oom', re: /torch\.OutOfMemoryError|CUDA error: out of memory/, weight: 84 },
  {
    kind: 'remote_code_required',
    re: /requires you to execute the configuration file in that repo|set the option `trust_remote_code=True`/,
    weight: 70,
  },
  { kind: 'remote_code_required', re: /Transformers does not recognize this architecture/, weight: 65 },
  {
    kind: 'gated_or_missing_repo',
    re: /GatedRepoError|RepositoryNotFoundError|Cannot access gated repo|is not a local folder and is not a valid model identifier|401 Client Error/,
    weight: 75,
  },
  {
    kind: 'unsupported_hardware_or_backend',
    re: /No compiled cutlass_scaled_mm for CUDA device capability|is not supported on (?:this|your) (?:GPU|device|platform)|no kernel image is available for execution on the device|CUDA capability sm_\d+ is not compatible|Bfloat16 is only supported on GPUs with compute capability/,
    weight: 75,
  },
  { kind: 'engine_died', re: /Engine core proc (\S+) died unexpectedly/, weight: 40 },
];

const GENERIC_FAILURE = /Engine core initialization failed|EngineCore failed to start/;
const READY = /Application startup complete\./;

export function diagnoseLog(text: string | readonly string[], ctx: DiagnoseContext = {}): Diagnosis {
  const all = (typeof text === 'string' ? text.split(/\r?\n|\r/) : text).map(stripAnsi);
  let runStart = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    if (RUN_START.test(all[i]!)) {
      runStart = i;
      break;
    }
  }
  const lines = runStart > 0 ? all.slice(runStart) : all;
  const tracker = new PhaseTracker(0);
  let ready = false;
  let readyIdx = -1;
  let generic = -1;
  let best: { m: Matcher; match: RegExpExecArray; idx: number } | undefined;
  let model: string | null = null;
  const facts: StartFacts = tracker.state.facts;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    tracker.feed({ text: line, ts: i });
    if (READY.test(line)) {
      ready = true;
      readyIdx = i;
    }
    // The last generic failure line: the root cause is in the traceback just above it.
    if (GENERIC_FAILURE.test(line)) generic = i;
    if (model === null) {
      const mm =
        /Starting to load model (\S+?)(?:\.\.\.)?$/.exec(line) ?? /'model_tag': '([^']+)'/.exec(line) ?? /model='([^']+)'/.exec(line);
      if (mm) model = mm[1]!;
    }
    for (const m of MATCHERS) {
      const match = m.re.exec(line);
      // Keep the first occurrence of the heaviest cause (tracebacks repeat the same error).
      if (match && (!best || m.weight > best.m.weight)) best = { m, match, idx: i };
    }
  }

  const numbers: DiagnosisNumbers = {
    maxModelLen: facts.maxModelLen,
    gpuKvCacheTokens: facts.gpuKvCacheTokens,
    maxConcurrency: facts.maxConcurrency?.x,
    maxConcurrencyTokens: facts.maxConcurrency?.tokensPerRequest,
    availableKvGiB: facts.availableKvGiB,
    weightsGiB: facts.weightsGiB,
  };
  const port =
    /Starting vLLM API server (?:\d+ )?on https?:\/\/[^:\s]+:(\d+)/.exec(lines.join('\n'))?.[1] ??
    /'port': (\d+)/.exec(facts.nonDefaultArgs ?? '')?.[1];
  if (port) numbers.port = Number(port);
  if (best?.m.numbers) {
    for (const [k, v] of Object.entries(best.m.numbers(best.match)))
      if (v !== undefined && !Number.isNaN(v)) (numbers as Record<string, number>)[k] = v;
  }
  for (const k of Object.keys(numbers) as (keyof DiagnosisNumbers)[]) if (numbers[k] === undefined) delete numbers[k];

  let errorKind: ErrorKind = best?.m.kind ?? 'none';
  let outcome: Outcome;
  // An engine that died after the server became ready is a crash, not a failed start.
  if (ready && best && best.idx > readyIdx) outcome = 'running-then-died';
  // The engine died with no failed start in this log: it was serving (the log begins mid-run).
  else if (!ready && best?.m.kind === 'engine_died' && generic === -1) outcome = 'running-then-died';
  else if (ready && !best) outcome = 'ready';
  else if (best && (best.m.kind === 'unrecognized_argument' || best.m.kind === 'invalid_argument_value')) outcome = 'arg-error';
  else if (best || generic !== -1 || (ctx.exitCode !== undefined && ctx.exitCode !== null && ctx.exitCode !== 0)) outcome = 'failed';
  else outcome = 'incomplete';
  if (outcome === 'failed' && !best) errorKind = 'other';

  let message = best ? messageOf(lines[best.idx]!) : '';
  if (!best && generic !== -1) {
    // Search backwards from the generic failure for the first exception line.
    for (let i = generic; i >= 0; i--) {
      const msg = messageOf(lines[i]!);
      if (/^[\w.]+(?:Error|Exception)\b/.test(msg) && !GENERIC_FAILURE.test(msg)) {
        message = msg;
        break;
      }
    }
    if (!message) message = messageOf(lines[generic]!);
  }
  if (!message && outcome === 'failed' && ctx.exitCode !== undefined)
    message = `vLLM exited with code ${ctx.exitCode} before it was ready.`;

  return {
    vllmVersion: facts.vllmVersion ?? null,
    outcome,
    errorKind,
    message,
    remedies: remediesFor(errorKind, numbers, best?.match, ctx),
    phase: tracker.state.phase,
    numbers,
    attentionBackend: facts.attentionBackend ?? null,
    model,
    line: best ? runStart + best.idx + 1 : generic !== -1 ? runStart + generic + 1 : null,
  };
}

function numFlag(ctx: DiagnoseContext, name: string): number | undefined {
  const v = ctx.flags?.[name];
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Rounds down to a multiple of `step` (max-model-len suggestions stay on tidy values). */
const floorTo = (n: number, step: number) => Math.max(step, Math.floor(n / step) * step);

export function remediesFor(kind: ErrorKind, n: DiagnosisNumbers, match: RegExpExecArray | undefined, ctx: DiagnoseContext): Remedy[] {
  const util = numFlag(ctx, 'gpu-memory-utilization') ?? (ctx.flags?.['gpu-memory-utilization'] as number | undefined);
  switch (kind) {
    case 'kv_cache_too_small_for_max_model_len': {
      const out: Remedy[] = [];
      if (n.estimatedMaxModelLen) {
        out.push({
          label: `Relaunch with max-model-len ${n.estimatedMaxModelLen}`,
          action: { type: 'set-flag', flag: 'max-model-len', value: n.estimatedMaxModelLen },
        });
        const tidy = floorTo(n.estimatedMaxModelLen, 1024);
        if (tidy !== n.estimatedMaxModelLen)
          out.push({ label: `Relaunch with max-model-len ${tidy}`, action: { type: 'set-flag', flag: 'max-model-len', value: tidy } });
      }
      out.push({
        label: 'Use an fp8 KV cache (kv-cache-dtype fp8_e5m2) to halve KV memory',
        action: { type: 'set-flag', flag: 'kv-cache-dtype', value: 'fp8_e5m2' },
      });
      if (typeof util === 'number' && util < 0.95)
        out.push({
          label: 'Raise gpu-memory-utilization to 0.95',
          action: { type: 'set-flag', flag: 'gpu-memory-utilization', value: 0.95 },
        });
      return out;
    }
    case 'no_kv_cache_memory':
    case 'cuda_oom': {
      const out: Remedy[] = [];
      if (kind === 'no_kv_cache_memory' && (util === undefined || util < 0.95)) {
        out.push({
          label: 'Raise gpu-memory-utilization to 0.95',
          action: { type: 'set-flag', flag: 'gpu-memory-utilization', value: 0.95 },
        });
      }
      const seqs = numFlag(ctx, 'max-num-seqs');
      if (seqs && seqs > 1)
        out.push({
          label: `Lower max-num-seqs to ${Math.max(1, Math.floor(seqs / 2))}`,
          action: { type: 'set-flag', flag: 'max-num-seqs', value: Math.max(1, Math.floor(seqs / 2)) },
        });
      const mbt = numFlag(ctx, 'max-num-batched-tokens');
      if (mbt && mbt > 2048)
        out.push({
          label: `Lower max-num-batched-tokens to ${Math.max(2048, mbt / 2)}`,
          action: { type: 'set-flag', flag: 'max-num-batched-tokens', value: Math.max(2048, mbt / 2) },
        });
      out.push({
        label: 'Use an fp8 KV cache (kv-cache-dtype fp8_e5m2)',
        action: { type: 'set-flag', flag: 'kv-cache-dtype', value: 'fp8_e5m2' },
      });
      if (kind === 'cuda_oom')
        out.push({
          label: 'Skip CUDA graphs (enforce-eager) to save their memory',
          action: { type: 'set-flag', flag: 'enforce-eager', value: true },
        });
      out.push({ label: 'Add a GPU (or use a quantized checkpoint)' });
      return out;
    }
    case 'mamba_cache_blocks_exceeded': {
      const target = n.mambaBlocks ?? (n.maxNumSeqs ? Math.floor(n.maxNumSeqs / 2) : undefined);
      const out: Remedy[] = [];
      if (target) out.push({ label: `Lower max-num-seqs to ${target}`, action: { type: 'set-flag', flag: 'max-num-seqs', value: target } });
      out.push({
        label: 'Raise gpu-memory-utilization to 0.95',
        action: { type: 'set-flag', flag: 'gpu-memory-utilization', value: 0.95 },
      });
      return out;
    }
    case 'insufficient_free_memory': {
      const out: Remedy[] = [];
      for (const p of ctx.gpuProcesses ?? []) {
        out.push({
          label: `Free GPU ${p.gpu}: PID ${p.pid} ${p.name} holds ${(p.usedMiB / 1024).toFixed(1)} GiB`,
          action: { type: 'kill-process', pid: p.pid },
        });
      }
      if (n.freeGiB !== undefined && n.totalGiB) {
        const fit = Math.floor((n.freeGiB / n.totalGiB) * 100 - 1) / 100;
        if (fit > 0.05)
          out.push({
            label: `Lower gpu-memory-utilization to ${fit.toFixed(2)}`,
            action: { type: 'set-flag', flag: 'gpu-memory-utilization', value: fit },
          });
      }
      return out;
    }
    case 'port_in_use': {
      const port = n.port ?? numFlag(ctx, 'port') ?? 8000;
      return [{ label: `Use another port (${port + 1})`, action: { type: 'set-flag', flag: 'port', value: port + 1 } }];
    }
    case 'unrecognized_argument': {
      const flags = (match?.[1] ?? '').split(/\s+/).filter((a) => a.startsWith('--'));
      return flags.map((f) => ({
        label: `Remove ${f} (this vLLM version does not know it)`,
        action: { type: 'unset-flag' as const, flag: f.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-') },
      }));
    }
    case 'invalid_argument_value': {
      const flag = match?.[1]?.startsWith('--') ? match[1].replace(/^--/, '').split(' ')[0] : undefined;
      if (match?.[0].includes('requires --tool-call-parser'))
        return [
          {
            label: 'Set tool-call-parser, or turn off enable-auto-tool-choice',
            action: { type: 'unset-flag', flag: 'enable-auto-tool-choice' },
          },
        ];
      const parser = /invalid (tool call|reasoning) parser: (\S+)/.exec(match?.[0] ?? '');
      if (parser) {
        const flagName = parser[1] === 'tool call' ? 'tool-call-parser' : 'reasoning-parser';
        return [
          {
            label: `'${parser[2]}' is not a ${flagName} this vLLM knows: pick one from the list in the log, or unset it`,
            action: { type: 'unset-flag', flag: flagName },
          },
        ];
      }
      return flag ? [{ label: `Fix the value of --${flag}`, action: { type: 'unset-flag', flag } }] : [];
    }
    case 'remote_code_required':
      return [
        {
          label: 'Enable trust-remote-code (the model ships its own code)',
          action: { type: 'set-flag', flag: 'trust-remote-code', value: true },
        },
      ];
    case 'gated_or_missing_repo':
      return [{ label: 'Check the model id, accept the model licence on Hugging Face, and set HF_TOKEN' }];
    case 'unsupported_hardware_or_backend':
      return [
        {
          label: 'Try another attention backend (attention-backend FLASH_ATTN or TRITON_ATTN)',
          action: { type: 'set-flag', flag: 'attention-backend', value: 'TRITON_ATTN' },
        },
        { label: 'Use a checkpoint/quantization your GPU supports' },
      ];
    case 'engine_died':
      return [{ label: 'Restart the server; if it repeats, save a diagnostic bundle and check dmesg for the OOM killer' }];
    default:
      return [];
  }
}
