import type { EventMessage } from '../../contract/index';
import type { ServerStateDto } from '../../contract/server';
import { PHASE_LABELS } from '../../server/phases';
import { type CliCommand, UsageError } from '../types';
import { BUILD_OPTIONS_USAGE, buildRequest, parseBuildArgs } from './command';

const TERMINAL = new Set(['failed', 'crashed', 'stopped']);

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'start vLLM in the foreground with the panel supervisor (Ctrl-C stops the whole tree)',
  usage: [
    'Usage: vllm-panel run [--profile P] [--set FLAG=VALUE]... [--runtime sim|PATH] [--gpus 0,1] [--yes] [--json]',
    '',
    'Runs the same preflight and supervisor as the app: checks flags, port and the memory planner,',
    'starts vLLM in its own process group, prints its startup phases and the ready URL, and on',
    'Ctrl-C or SIGTERM stops every process of the tree. On failure it prints the diagnosis and exits 1.',
    '',
    BUILD_OPTIONS_USAGE,
    '  --runtime R        sim (the bundled simulator), or the path of a vllm executable (default: the first vLLM found)',
    '  --yes              start even if the planner predicts failure or other processes use the GPUs',
    '  --json             one JSON line per state change (and per stop report) instead of text',
  ].join('\n'),
  async run(args, { io, json, getCore }) {
    const a = parseBuildArgs(args, { values: ['--runtime'], switches: ['--yes'] });
    const runtimeArg = a.rest.get('--runtime');
    const yes = a.rest.get('--yes') === true;
    if (runtimeArg === true) throw new UsageError('--runtime needs a value');
    const core = await getCore();
    const build = await buildRequest(core, a);

    let runtimeId: string | undefined;
    if (runtimeArg !== undefined) {
      const det = await core.invoke('runtime:detect', runtimeArg === 'sim' ? undefined : { customCommand: [runtimeArg] });
      if (!det.ok) throw new Error(det.error.message);
      const rt = det.value.runtimes.find((r) => (runtimeArg === 'sim' ? r.kind === 'sim' : r.kind === 'custom'));
      if (!rt)
        throw new UsageError(
          runtimeArg === 'sim' ? 'the bundled simulator was not found (run npm run build)' : `no vLLM runtime at ${runtimeArg}`,
        );
      if (rt.error) throw new UsageError(`${rt.label}: ${rt.error}`);
      runtimeId = rt.id;
    }

    const t0 = Date.now();
    const secs = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
    let last = '';
    let readyPrinted = false;
    let finished: (s: ServerStateDto) => void = () => {};
    const done = new Promise<ServerStateDto>((r) => {
      finished = r;
    });
    const report = (s: ServerStateDto) => {
      if (json) {
        const line = JSON.stringify({
          status: s.status,
          phase: s.phase,
          percent: s.percent,
          url: s.url,
          facts: s.facts,
          diagnosis: s.diagnosis,
          stall: s.stall,
        });
        if (line !== last) io.out(line);
        last = line;
      } else {
        const text = `${s.status}${s.phase && s.status === 'starting' ? ` · ${PHASE_LABELS[s.phase]}${s.percent !== null ? ` ${s.percent}%` : ''}` : ''}${s.stall ? ` · no progress for ${Math.round(s.stall.seconds)} s (usually < ${s.stall.usual} s)` : ''}`;
        if (text !== last) io.out(`[${secs()}s] ${text}`);
        last = text;
        if (s.status === 'ready' && !readyPrinted) {
          readyPrinted = true;
          io.out(`ready at ${s.url}  (OpenAI API: ${s.url}/v1, metrics: ${s.url}/metrics)`);
        }
      }
      if (TERMINAL.has(s.status)) finished(s);
    };
    const unsubscribe = core.subscribe((e: EventMessage) => {
      if (e.channel === 'server' && e.payload.runId > 0) report(e.payload);
    });
    try {
      const started = await core.invoke('server:start', {
        build,
        ...(runtimeId ? { runtimeId } : {}),
        ...(yes ? { confirmPlannerFailure: true, confirmGpuInUse: true } : {}),
      });
      if (!started.ok) {
        const e = started.error;
        if (json) io.out(JSON.stringify({ error: e }));
        else {
          io.err(`Not started (${e.kind}): ${e.message}`);
          for (const r of e.remedies) io.err(`  - ${r.label}`);
          if (e.kind === 'planner_predicts_failure' || e.kind === 'gpu_in_use') io.err('Run again with --yes to start anyway.');
        }
        return e.kind === 'invalid_flags' || e.kind === 'invalid_argument' ? 2 : 1;
      }
      const outcome = await Promise.race([done, io.interrupted.then(() => 'interrupted' as const)]);
      if (outcome === 'interrupted') {
        if (!json) io.out(`[${secs()}s] stopping (SIGTERM to the process group, then SIGKILL after the grace period)…`);
        const stop = await core.invoke('server:stop', undefined);
        if (stop.ok && stop.value) {
          const r = stop.value;
          if (json) io.out(JSON.stringify({ stopReport: r }));
          else
            io.out(
              `stopped ${r.killed.length} processes in ${r.durationMs} ms${r.escalated ? ' (needed SIGKILL)' : ''}; survivors: ${r.survivors.length}`,
            );
          return r.survivors.length ? 1 : 0;
        }
        return 0;
      }
      if (outcome.status === 'stopped') return 0;
      const d = outcome.diagnosis;
      if (!json && d) {
        io.err(`vLLM ${outcome.status}: ${d.errorKind}`);
        if (d.message) io.err(`  ${d.message}`);
        for (const r of d.remedies) io.err(`  - ${r.label}`);
      }
      return 1;
    } finally {
      unsubscribe();
    }
  },
};
