import { describe, expect, it } from 'vitest';
import { barGlyphs, formatInterval, loadingBar, standardBar } from './tqdm';
import { installPaths, portInUseTraceback, renderTraceback } from './traceback';
import { formatLogDate, ProcLog, wantColor } from './writer';

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
}
const date = new Date(2026, 0, 17, 23, 4, 45);

describe('vLLM log writer', () => {
  it('formats logger lines like vllm-logs 01 (coloured prefix, level, date, [file:line])', () => {
    const s = sinks();
    const log = new ProcLog({ name: 'APIServer', pid: 253022, color: true, stdout: s.stdout, stderr: s.stderr, now: () => date });
    log.info('api_server.py:1278', 'vLLM API server version 0.14.0');
    expect(s.out.join('')).toBe(
      '\x1b[0;36m(APIServer pid=253022)\x1b[0;0m INFO 01-17 23:04:45 [api_server.py:1278] vLLM API server version 0.14.0\n',
    );
  });

  it('repeats the header on every line of a multi-line message (NewLineFormatter, vllm-logs 08)', () => {
    const s = sinks();
    const log = new ProcLog({ name: 'EngineCore_DP0', pid: 192, color: false, stdout: s.stdout, stderr: s.stderr, now: () => date });
    log.error('core.py:866', 'EngineCore failed to start.\nTraceback (most recent call last):');
    expect(s.out.join('')).toBe(
      '(EngineCore_DP0 pid=192) ERROR 01-17 23:04:45 [core.py:866] EngineCore failed to start.\n(EngineCore_DP0 pid=192) ERROR 01-17 23:04:45 [core.py:866] Traceback (most recent call last):\n',
    );
  });

  it('prefixes only line starts, per stream, as vLLM wraps sys.stdout/sys.stderr', () => {
    const s = sinks();
    const log = new ProcLog({ name: 'EngineCore_DP0', pid: 7, color: false, stdout: s.stdout, stderr: s.stderr });
    log.raw('err', '\rbar 1');
    log.raw('err', '\rbar 2\n');
    log.raw('err', 'a\nb\n');
    log.raw('out', 'x');
    expect(s.err.join('')).toBe('(EngineCore_DP0 pid=7) \rbar 1\rbar 2\n(EngineCore_DP0 pid=7) a\n(EngineCore_DP0 pid=7) b\n');
    expect(s.out.join('')).toBe('(EngineCore_DP0 pid=7) x');
  });

  it('writes uvicorn lines in its format: lifecycle to stderr, access to stdout', () => {
    const s = sinks();
    const log = new ProcLog({ name: 'APIServer', pid: 1, color: false, stdout: s.stdout, stderr: s.stderr });
    log.uvicorn('Started server process [1]');
    log.access('127.0.0.1:44726', 'POST', '/v1/chat/completions', '1.1', 200, 'OK');
    expect(s.err.join('')).toBe('(APIServer pid=1) INFO:     Started server process [1]\n');
    expect(s.out.join('')).toBe('(APIServer pid=1) INFO:     127.0.0.1:44726 - "POST /v1/chat/completions HTTP/1.1" 200 OK\n');
  });

  it('colours by default, as the real logs through a pipe; VLLM_SIM_COLOR and NO_COLOR decide otherwise', () => {
    expect(wantColor({})).toBe(true);
    expect(wantColor({ NO_COLOR: '1' })).toBe(false);
    expect(wantColor({ VLLM_SIM_COLOR: '0' })).toBe(false);
    expect(wantColor({ VLLM_SIM_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(formatLogDate(new Date(2026, 2, 8, 6, 5, 4))).toBe('03-08 06:05:04');
  });
});

describe('tqdm bars', () => {
  it('reproduces the weight-loading bar of vllm-logs 01/07', () => {
    expect(loadingBar(0, 27, 0)).toBe('Loading safetensors checkpoint shards:   0% Completed | 0/27 [00:00<?, ?it/s]');
    expect(loadingBar(1, 2, 8.96)).toBe('Loading safetensors checkpoint shards:  50% Completed | 1/2 [00:08<00:08,  8.96s/it]');
    expect(loadingBar(2, 2, 34.76)).toBe('Loading safetensors checkpoint shards: 100% Completed | 2/2 [00:34<00:00, 17.38s/it]');
    expect(loadingBar(1, 27, 0.935)).toBe('Loading safetensors checkpoint shards:   4% Completed | 1/27 [00:00<00:24,  1.07it/s]');
  });

  it('reproduces the CUDA graph bars with partial blocks', () => {
    expect(barGlyphs(1 / 51)).toBe('▏         ');
    expect(barGlyphs(17 / 51)).toBe('███▎      ');
    expect(barGlyphs(1)).toBe('██████████');
    expect(standardBar('Capturing CUDA graphs (decode, FULL)', 35, 35, 18.4)).toBe(
      'Capturing CUDA graphs (decode, FULL): 100%|██████████| 35/35 [00:18<00:00,  1.90it/s]',
    );
    expect(formatInterval(3725)).toBe('1:02:05');
  });
});

describe('tracebacks', () => {
  it('renders Python 3.12 frames with install paths', () => {
    const paths = installPaths({ VIRTUAL_ENV: '/home/u/.venv' });
    const lines = renderTraceback(paths, [{ file: 'vllm/x.py', line: 3, func: 'f', code: 'g()', caret: '^^^' }], 'ValueError: boom');
    expect(lines).toEqual([
      'Traceback (most recent call last):',
      '  File "/home/u/.venv/lib/python3.12/site-packages/vllm/x.py", line 3, in f',
      '    g()',
      '    ^^^',
      'ValueError: boom',
    ]);
    const port = portInUseTraceback(installPaths({}));
    expect(port[1]).toBe('  File "/usr/local/bin/vllm", line 7, in <module>');
    expect(port[port.length - 1]).toBe('OSError: [Errno 98] Address already in use');
  });
});
