// What the model runner prints while the engine starts (vllm-runtime.md §2 rows 9–23), shared by
// the EngineCore (TP = 1: the model runs inside it, lines carry its prefix — vllm-logs 07) and the
// TP workers (TP > 1: Worker_TPk lines, most of them from rank 0 only — vllm-logs 01).
// Durations are a compressed timeline (the whole start takes ~3–4 s at VLLM_SIM_SPEED=1); the
// numbers in the lines are the real elapsed times, so they agree with the timestamps.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimConfig } from '../config';
import type { SimGpu } from '../gpu';
import { loadingBar, standardBar } from '../log/tqdm';
import type { EngineFailSite } from '../log/traceback';
import { formatLogDate, type ProcLog } from '../log/writer';
import type { SimMemoryPlan } from '../memory';
import type { VersionTraits } from '../version';
import { fakePort, hangForever, pause } from './common';
import type { WorkerPhase } from './protocol';

export interface RunnerCtx {
  log: ProcLog;
  traits: VersionTraits;
  cfg: SimConfig;
  plan: SimMemoryPlan;
  rank: number;
  tp: number;
  dpRank: number;
  gpu: SimGpu;
  /** Local device index (cuda:N) of this rank. */
  device: number;
}

export type PhaseResult = { ok: true } | { ok: false; site: EngineFailSite; exception: string };

const OK: PhaseResult = { ok: true };

/** Python `'%.2f' % x` and friends. */
export const fixed = (x: number, d: number) => x.toFixed(d);

function site(ctx: RunnerCtx, file: string, key: string): string {
  return `${file}:${ctx.traits.lines[key] ?? 1}`;
}

/** vLLM's default CUDA-graph capture sizes: 1, 2, 4, 8…256 step 8, 272…max step 16; max = min(2 × max_num_seqs, 512). */
export function captureSizes(maxNumSeqs: number): number[] {
  const max = Math.min(2 * maxNumSeqs, 512);
  const out = [1, 2, 4].filter((s) => s <= max);
  for (let s = 8; s <= Math.min(max, 256); s += 8) out.push(s);
  for (let s = 272; s <= max; s += 16) out.push(s);
  return out;
}

const elapsedS = (t0: number) => (performance.now() - t0) / 1000;

async function hangIf(ctx: RunnerCtx, phase: SimConfig['switches']['hangAt']): Promise<void> {
  if (phase !== null && ctx.cfg.switches.hangAt === phase) await hangForever();
}

/** `world_size=…` — the first line a TP worker prints, before its output is prefixed (vllm-logs 01). */
export function workerWorldLine(ctx: RunnerCtx): string {
  const port = fakePort(process.ppid);
  return `INFO ${formatLogDate(new Date())} [${site(ctx, 'parallel_state.py', 'parallel_world')}] world_size=${ctx.tp} rank=${ctx.rank} local_rank=${ctx.rank} distributed_init_method=tcp://127.0.0.1:${port} backend=nccl\n`;
}

/** NCCL set-up lines of a TP worker, still unprefixed; rank 0 reports the NCCL version first. */
function workerRankLines(ctx: RunnerCtx): string {
  const now = formatLogDate(new Date());
  const lines: string[] = [];
  if (ctx.rank === 0) lines.push(`INFO ${now} [pynccl.py:111] vLLM is using nccl==2.27.5`);
  lines.push(
    `INFO ${now} [${site(ctx, 'parallel_state.py', 'parallel_rank')}] rank ${ctx.rank} in world size ${ctx.tp} is assigned as DP rank ${ctx.dpRank}, PP rank 0, PCP rank 0, TP rank ${ctx.rank}, EP rank ${ctx.rank}`,
  );
  return `${lines.join('\n')}\n`;
}

export async function runPhase(ctx: RunnerCtx, phase: WorkerPhase): Promise<PhaseResult> {
  const { log, cfg, plan } = ctx;
  const speed = cfg.switches.speed;
  const lead = ctx.rank === 0;
  switch (phase) {
    case 'init_device': {
      if (ctx.tp > 1) {
        // Rank 0 first (it also reports NCCL), as in vllm-logs 01.
        if (ctx.rank > 0) await pause(0.02, 1);
        process.stdout.write(workerRankLines(ctx));
      } else {
        log.info(
          site(ctx, 'parallel_state.py', 'parallel_world'),
          `world_size=1 rank=0 local_rank=0 distributed_init_method=tcp://127.0.0.1:${fakePort(process.pid)} backend=nccl`,
        );
        log.info(
          site(ctx, 'parallel_state.py', 'parallel_rank'),
          `rank 0 in world size 1 is assigned as DP rank ${ctx.dpRank}, PP rank 0, PCP rank 0, TP rank 0, EP rank 0`,
        );
      }
      await pause(0.15, speed);
      if (plan.failure?.kind === 'insufficient_free_memory') {
        return { ok: false, site: 'init_device', exception: `ValueError: ${plan.failure.message.replace('cuda:0', `cuda:${ctx.device}`)}` };
      }
      return OK;
    }
    case 'load_model': {
      const t0 = performance.now();
      if (lead) log.info(site(ctx, 'gpu_model_runner.py', 'runner_start'), `Starting to load model ${cfg.model}...`);
      await pause(0.2, speed);
      if (lead) {
        log.info(
          site(ctx, 'cuda.py', 'cuda_backend'),
          `Using ${cfg.attentionBackend} attention backend out of potential backends: ('${cfg.attentionBackend}', 'TRITON_ATTN')`,
        );
      }
      const shards = plan.shards;
      const loadStart = performance.now();
      const oomAt = plan.failure?.kind === 'cuda_oom' ? Math.floor(shards / 2) : -1;
      const perShard = 1.0 / shards;
      if (lead) log.raw('err', `\r${loadingBar(0, shards, 0)}\n`);
      for (let i = 1; i <= shards; i++) {
        if (i - 1 === oomAt) {
          await pause(perShard / 2, speed);
          if (lead) log.raw('err', '\n');
          return {
            ok: false,
            site: 'load_model',
            exception: `torch.OutOfMemoryError: ${plan.failure!.message.replace('GPU 0', `GPU ${ctx.device}`)}`,
          };
        }
        await pause(perShard, speed);
        if (lead) log.raw('err', `\r${loadingBar(i, shards, elapsedS(loadStart))}\n`);
        if (i === Math.ceil(shards / 2)) await hangIf(ctx, 'load-weights');
      }
      if (lead) {
        // tqdm refreshes the finished bar once more on close, then ends the line.
        log.raw('err', `\r${loadingBar(shards, shards, elapsedS(loadStart))}\n`);
        log.raw('err', '\n');
        log.info(site(ctx, 'default_loader.py', 'loader_took'), `Loading weights took ${fixed(elapsedS(loadStart), 2)} seconds`);
        const gib = ctx.traits.minor >= 14 || ctx.traits.major > 0 ? fixed(plan.weightsGiB, 2) : fixed(plan.weightsGiB, 4);
        log.info(
          site(ctx, 'gpu_model_runner.py', 'runner_took'),
          `Model loading took ${gib} GiB memory and ${fixed(elapsedS(t0), 6)} seconds`,
        );
      }
      return OK;
    }
    case 'compile': {
      if (plan.enforceEager) return OK;
      await hangIf(ctx, 'torch-compile');
      const t0 = performance.now();
      // vLLM caches compiled graphs under $VLLM_CACHE_ROOT (~/.cache/vllm): the first start compiles
      // (vllm-logs 07), later ones load from the cache (vllm-logs 01/10). The simulator keeps a
      // marker file there so a second start takes the cached path too.
      const root = process.env.VLLM_CACHE_ROOT || join(process.env.HOME ?? '/root', '.cache', 'vllm');
      const key = `${cfg.model}|${cfg.version}|${plan.maxNumBatchedTokens}|${cfg.tp}|${plan.enforceEager}`;
      const hash = (Math.abs(hashCode(key)) % 0xffffffffff).toString(16).padStart(10, '0');
      const dir = join(root, 'torch_compile_cache', hash, `rank_${ctx.rank}_0`, 'backbone');
      const marker = join(dir, 'vllm-sim.marker');
      const cached = existsSync(marker);
      if (lead) log.info(site(ctx, 'backends.py', 'backends_cache_dir'), `Using cache directory: ${dir} for vLLM's torch.compile`);
      await pause(0.1, speed);
      const dynamo = elapsedS(t0);
      if (lead) log.info(site(ctx, 'backends.py', 'backends_dynamo'), `Dynamo bytecode transform time: ${fixed(dynamo, 2)} s`);
      const range = `(1, ${plan.maxNumBatchedTokens})`;
      // With TP, the other ranks report between rank 0's first lines and its own compile line
      // (vllm-logs 01): fixed real-time offsets keep that order at any speed.
      if (ctx.tp > 1) await pause(lead ? 0.12 : 0.06, 1);
      if (cached) {
        await pause(0.15, speed);
        log.info(
          site(ctx, 'backends.py', 'backends_direct'),
          `Directly load the compiled graph(s) for compile range ${range} from the cache, took ${fixed(elapsedS(t0) - dynamo, 3)} s`,
        );
      } else {
        if (lead) log.info(site(ctx, 'backends.py', 'backends_cache_graph'), `Cache the graph of compile range ${range} for later use`);
        await pause(0.4, speed);
        log.info(
          site(ctx, 'backends.py', 'backends_compile'),
          `Compiling a graph for compile range ${range} takes ${fixed(elapsedS(t0) - dynamo, 2)} s`,
        );
        try {
          mkdirSync(dir, { recursive: true });
          writeFileSync(marker, 'compiled by vllm-sim\n');
        } catch {
          // Not writable: every start compiles, which real vLLM also does without a cache.
        }
      }
      if (lead) log.info(site(ctx, 'monitor.py', 'monitor'), `torch.compile takes ${fixed(elapsedS(t0), 2)} s in total`);
      return OK;
    }
    case 'profile': {
      await hangIf(ctx, 'profile');
      await pause(0.2, speed);
      if (lead && ctx.traits.estimatesCudaGraphMemory && !plan.enforceEager) {
        log.info(site(ctx, 'gpu_model_runner.py', 'runner_took'), `Estimated CUDA graph memory: ${fixed(plan.cudaGraphsGiB, 2)} GiB total`);
      }
      if (lead)
        log.info(
          site(ctx, 'gpu_worker.py', 'worker_kv'),
          plan.logLines.availableKv ?? `Available KV cache memory: ${fixed(plan.availableKvGiB, 2)} GiB`,
        );
      return OK;
    }
    case 'capture': {
      if (plan.enforceEager) return OK;
      if (plan.failure?.kind === 'mamba_cache_blocks_exceeded')
        return { ok: false, site: 'cuda_graphs', exception: `ValueError: ${plan.failure.message}` };
      const t0 = performance.now();
      const sizes = captureSizes(plan.maxNumSeqs);
      const full = sizes.filter((s) => s <= plan.maxNumSeqs).length;
      for (const [desc, total, seconds] of [
        ['Capturing CUDA graphs (mixed prefill-decode, PIECEWISE)', sizes.length, 0.3],
        ['Capturing CUDA graphs (decode, FULL)', full, 0.2],
      ] as const) {
        const start = performance.now();
        const updates = Math.min(total, 8);
        if (lead) log.raw('err', `\r${standardBar(desc, 0, total, 0)}`);
        for (let u = 1; u <= updates; u++) {
          await pause(seconds / updates, speed);
          if (u === Math.ceil(updates / 2)) await hangIf(ctx, 'cuda-graphs');
          const n = Math.round((u / updates) * total);
          if (lead) log.raw('err', `\r${standardBar(desc, n, total, elapsedS(start))}`);
        }
        if (lead) log.raw('err', `\r${standardBar(desc, total, total, elapsedS(start))}\n`);
      }
      if (lead) {
        log.info(
          site(ctx, 'gpu_model_runner.py', 'runner_graphs'),
          `Graph capturing finished in ${Math.round(elapsedS(t0))} secs, took ${fixed(plan.cudaGraphsGiB, 2)} GiB`,
        );
      }
      return OK;
    }
  }
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
