// A Worker_TPk process (tensor parallel > 1): runs the model-runner phases its EngineCore asks
// for, prints its share of the log (rank 0 prints most lines — vllm-logs 01) and watches its
// parent ("Parent process exited, terminating worker" — vllm-logs 04).
import { installPaths, workerFailedLines, workerRpcFailedLines } from '../log/traceback';
import { ProcLog } from '../log/writer';
import { versionTraits } from '../version';
import { exitAfterFlush, firstMessage, send, watchParent } from './common';
import { type RunnerCtx, runPhase, workerWorldLine } from './phases';
import type { EngineToWorker } from './protocol';

export async function runWorker(): Promise<void> {
  // Messages can arrive back to back (init, then the first phase): queue them from the start.
  const queue: EngineToWorker[] = [];
  let deliver: ((m: EngineToWorker) => void) | null = null;
  process.on('message', (m: EngineToWorker) => (deliver ? deliver(m) : queue.push(m)));
  const init = (await firstMessage<Extract<EngineToWorker, { t: 'init' }>>('init')) as Extract<EngineToWorker, { t: 'init' }>;
  const { cfg, plan, rank } = init;
  const traits = versionTraits(cfg.version);
  const L = traits.lines;
  const at = (file: string, key: string) => `${file}:${L[key] ?? 1}`;
  const log = new ProcLog({
    name: `Worker_TP${rank}`,
    pid: process.pid,
    color: cfg.switches.color,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  const paths = cfg.paths ?? installPaths(process.env);
  let leaving = false;

  const leave = (code: number, after?: () => void) => {
    if (leaving) return;
    leaving = true;
    log.info(at('multiproc_executor.py', 'multiproc_shutdown'), 'WorkerProc shutting down.');
    after?.();
    exitAfterFlush(code);
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (sig === 'SIGTERM' && cfg.switches.ignoreSigterm) return;
      leave(0);
    });
  }
  if (cfg.switches.orphanChildren) setInterval(() => {}, 1 << 30);
  else {
    watchParent(() => {
      log.info(at('multiproc_executor.py', 'multiproc_parent'), 'Parent process exited, terminating worker');
      leave(0, () =>
        log.raw(
          'err',
          `${paths.stdlib}/multiprocessing/resource_tracker.py:147: UserWarning: resource_tracker: process died unexpectedly, relaunching.  Some resources might leak.\n  warnings.warn('resource_tracker: process died unexpectedly, '\n`,
        ),
      );
    });
  }

  const ctx: RunnerCtx = {
    log,
    traits,
    cfg,
    plan,
    rank,
    tp: cfg.tp,
    dpRank: init.dpRank,
    gpu: cfg.gpus[init.gpuIndex] ?? cfg.gpus[0]!,
    device: rank,
  };
  // Before the worker's output is decorated, its first lines carry no prefix (vllm-logs 01).
  process.stdout.write(workerWorldLine(ctx));
  send({ t: 'up' });

  // Phases run one after the other, in arrival order.
  let chain = Promise.resolve();
  deliver = (m) => {
    chain = chain.then(() => handle(m));
  };
  const handle = async (m: EngineToWorker): Promise<void> => {
    if (m.t === 'shutdown') return leave(0);
    if (m.t !== 'phase') return;
    const r = await runPhase(ctx, m.phase);
    if (r.ok) return send({ t: 'done', phase: m.phase });
    const lines =
      m.phase === 'capture'
        ? workerRpcFailedLines(paths, r.exception)
        : workerFailedLines(paths, m.phase === 'init_device' ? 'init_device' : 'load_model', r.exception);
    log.error(at('multiproc_executor.py', 'multiproc_exception'), lines.join('\n'));
    send({ t: 'failed', phase: m.phase, error: r.exception });
  };
  for (const m of queue.splice(0)) if (m.t !== 'init') deliver(m);
}
