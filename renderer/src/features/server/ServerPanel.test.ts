import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { idleServerState, type ServerStateDto } from '../../contract';
import { ServerPanelView, type ServerPanelViewProps } from './ServerPanel';
import { StartConfirmDialogView } from './StartConfirmDialog';

const noop = () => {};
const idle: ServerStateDto = idleServerState();
const base: ServerPanelViewProps = {
  state: idle,
  now: 10_000,
  leftovers: [],
  busy: null,
  bundlePath: null,
  applied: [],
  reapReport: null,
  onReap: noop,
  onRemedy: noop,
  onRestartWithFix: noop,
  onBundle: noop,
  onShowLine: noop,
  onShowLogs: noop,
};
const render = (p: Partial<ServerPanelViewProps>) => renderToStaticMarkup(createElement(ServerPanelView, { ...base, ...p }));

const failed: ServerStateDto = {
  ...idle,
  status: 'failed',
  runId: 1,
  phase: 'kv-cache',
  startedAt: 1000,
  endedAt: 4000,
  exitCode: 1,
  phaseStartedAt: { 'resolve-model': 1000, 'load-weights': 2000, 'kv-cache': 3500 },
  diagnosis: {
    vllmVersion: '0.14.0',
    outcome: 'failed',
    errorKind: 'kv_cache_too_small_for_max_model_len',
    message: "ValueError: To serve at least one request with the model's max seq len (131072) …",
    remedies: [
      { label: 'Relaunch with max-model-len 88672', action: { type: 'set-flag', flag: 'max-model-len', value: 88672 } },
      { label: 'Free GPU 0: stop PID 4242', action: { type: 'kill-process', pid: 4242 } },
      { label: 'Read the docs', action: { type: 'open-url', url: 'https://docs.vllm.ai/' } },
      { label: 'Use a bigger GPU' },
    ],
    phase: 'kv-cache',
    numbers: { maxModelLen: 131072, estimatedMaxModelLen: 88672 },
    attentionBackend: 'FLASHINFER',
    model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
    line: 40,
  },
};

describe('ServerPanelView', () => {
  it('idle: says what Start does, no stepper', () => {
    const html = render({});
    expect(html).toContain('data-testid="server-idle"');
    expect(html).not.toContain('data-testid="phase-ready"');
  });

  it('starting: a stepper row per phase, the current one with its percent bar and running clock', () => {
    const html = render({
      state: {
        ...idle,
        status: 'starting',
        runId: 1,
        phase: 'cuda-graphs',
        percent: 42,
        startedAt: 0,
        phaseStartedAt: { 'resolve-model': 0, 'cuda-graphs': 4000 },
      },
      now: 9000,
    });
    for (const p of [
      'resolve-model',
      'download',
      'load-weights',
      'compile',
      'memory-profiling',
      'kv-cache',
      'cuda-graphs',
      'api-server',
      'ready',
    ]) {
      expect(html).toContain(`data-testid="phase-${p}"`);
    }
    expect(html).toMatch(/data-testid="phase-cuda-graphs" data-state="current" aria-current="step"/);
    expect(html).toMatch(/data-testid="phase-current" data-phase="cuda-graphs"[^>]*>.*CUDA graphs.*42%/);
    expect(html).toMatch(/aria-valuenow="42"/);
    expect(html).toContain('5.0 s'); // 9000 − 4000
  });

  it('failed: the failure card with the message, numbers and one control per actionable remedy', () => {
    const html = render({ state: failed });
    expect(html).toMatch(/data-testid="failure-card" data-kind="kv_cache_too_small_for_max_model_len"/);
    expect(html).toContain('KV cache too small for max model len');
    expect(html).toContain('max seq len (131072)');
    expect(html).toContain('131,072');
    expect(html).toMatch(/data-testid="remedy-0"[^>]*>Apply</);
    expect(html).toMatch(/data-testid="remedy-1"[^>]*>Stop PID 4242</);
    expect(html).toMatch(/href="https:\/\/docs.vllm.ai\/"[^>]*data-testid="remedy-2"/);
    expect(html).toMatch(/<li class="remedy" data-testid="remedy-3"><span class="remedy__label">Use a bigger GPU/);
    expect(html).toContain('data-testid="save-bundle"');
    expect(html).toContain('data-testid="failure-log-link"');
    // No fix applied yet: no restart offer.
    expect(html).not.toContain('data-testid="restart-with-fix"');
    expect(html).toMatch(/data-testid="phase-kv-cache" data-state="failed"/);
  });

  it('after a fix is applied: the remedy shows as applied and a restart is offered; the bundle path shows', () => {
    const html = render({ state: failed, applied: ['Relaunch with max-model-len 88672'], bundlePath: '/data/b.tar.gz' });
    expect(html).toMatch(/data-testid="remedy-0"[^>]*aria-disabled="true"|aria-disabled="true"[^>]*data-testid="remedy-0"/);
    expect(html).toContain('Applied');
    expect(html).toContain('data-testid="restart-with-fix"');
    expect(html).toMatch(/data-testid="bundle-path">Saved: <code>\/data\/b.tar.gz<\/code>/);
  });

  it('stopped: the stop report with what was killed, survivors flagged', () => {
    const html = render({
      state: {
        ...idle,
        status: 'stopped',
        runId: 1,
        startedAt: 0,
        endedAt: 5000,
        lastStop: {
          killed: [
            { pid: 10, cmd: 'vllm serve x', signal: 'SIGTERM' },
            { pid: 11, cmd: 'EngineCore_DP0', signal: 'SIGKILL' },
          ],
          survivors: [{ pid: 11, cmd: 'EngineCore_DP0' }],
          escalated: true,
          durationMs: 21_000,
          gpuMemoryReleased: null,
        },
      },
    });
    expect(html).toMatch(/data-testid="stop-report" data-survivors="1"/);
    expect(html).toContain('Stopped 2 processes in 21.0 s');
    expect(html).toContain('data-testid="stop-survivors"');
  });

  it('leftovers: a banner listing them with their GPU memory and a way to stop them', () => {
    const html = render({
      leftovers: [
        { pid: 4242, ppid: 1, pgid: 4242, cmd: 'python -m vllm.entrypoints.openai.api_server', gpuMiB: 6861 },
        { pid: 4243, ppid: 4242, pgid: 4242, cmd: 'VLLM::EngineCore', gpuMiB: null },
      ],
    });
    expect(html).toContain('data-testid="leftovers-banner"');
    expect(html).toContain('2 other vLLM processes are running on this machine');
    expect(html).toContain('6.7 GiB');
    expect(html).toContain('data-testid="leftovers-reap"');
  });

  it('a stall: a warning naming the phase and its usual time', () => {
    const html = render({
      state: {
        ...idle,
        status: 'starting',
        runId: 1,
        phase: 'load-weights',
        startedAt: 0,
        phaseStartedAt: { 'load-weights': 0 },
        stall: { phase: 'load-weights', seconds: 950, usual: 300 },
      },
    });
    expect(html).toMatch(/data-testid="stall-warning"[^>]*>.*Load weights.*15:50.*5:00/);
  });

  it('ready: facts and the prediction table', () => {
    const html = render({
      state: {
        ...idle,
        status: 'ready',
        runId: 1,
        phase: 'ready',
        startedAt: 0,
        readyAt: 5000,
        phaseStartedAt: { ready: 5000 },
        facts: { vllmVersion: '0.14.0', gpuKvCacheTokens: 169520, readyUrl: 'http://127.0.0.1:8000' },
        prediction: { gpuKvCacheTokens: 169520, maxConcurrency: 21.89, availableKvGiB: 11.76, weightsGiB: 22.93, verdict: 'fits' },
      },
    });
    expect(html).toContain('data-testid="fact-vllmVersion"');
    expect(html).toContain('data-testid="fact-readyUrl"');
    expect(html).toMatch(
      /data-testid="compare-gpuKvCacheTokens"><th scope="row">KV cache tokens<\/th><td>169,520<\/td><td>169,520<\/td><td>0 %<\/td>/,
    );
  });
});

describe('StartConfirmDialogView', () => {
  const error = {
    kind: 'planner_predicts_failure',
    message: 'The memory planner predicts this launch will fail: …',
    remedies: [{ label: 'Set max-model-len ≤ 88064', action: { type: 'set-flag' as const, flag: 'max-model-len', value: 88064 } }],
  };
  const view = (kind: 'planner_predicts_failure' | 'port_in_use', applied: string[] = []) =>
    renderToStaticMarkup(
      createElement(StartConfirmDialogView, {
        confirm: { kind, error: { ...error, kind }, request: { build: {} }, applied },
        busy: false,
        onRemedy: noop,
        onStartAgain: noop,
        onStartAnyway: noop,
        onCancel: noop,
      }),
    );

  it('lists the message and remedies, with Start anyway', () => {
    const html = view('planner_predicts_failure');
    expect(html).toContain('This launch is predicted to fail');
    expect(html).toContain('data-testid="confirm-remedy-0"');
    expect(html).toContain('data-testid="confirm-start-anyway"');
    expect(html).not.toContain('data-testid="confirm-start-again"');
  });

  it('a port in use cannot be started anyway; after a fix, Start with the fix', () => {
    const html = view('port_in_use', ['Set max-model-len ≤ 88064']);
    expect(html).not.toContain('data-testid="confirm-start-anyway"');
    expect(html).toContain('data-testid="confirm-start-again"');
    expect(html).toContain('data-testid="confirm-applied"');
  });
});
