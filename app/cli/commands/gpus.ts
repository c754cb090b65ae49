import type { Gpu, GpuSnapshot } from '../../contract/gpu';
import { type CliCommand, UsageError } from '../types';

const MIB_PER_GIB = 1024;

function gib(mib: number | null): string {
  return mib === null ? '?' : (mib / MIB_PER_GIB).toFixed(1);
}

function orDash(n: number | null, unit = '', digits = 0): string {
  return n === null ? '-' : `${n.toFixed(digits)}${unit}`;
}

function processesText(g: Gpu): string {
  if (g.processes.length === 0) return '-';
  return g.processes.map((p) => `${p.pid} ${p.name ?? '?'} (${p.usedMiB === null ? '?' : `${gib(p.usedMiB)} GiB`})`).join(', ');
}

/** Plain-text table of a snapshot (exported for tests). */
export function formatGpuTable(s: GpuSnapshot): string {
  const lines: string[] = [];
  if (s.gpus.length === 0) {
    lines.push(`No NVIDIA GPU detected. ${s.reason ?? ''}`.trim());
  } else {
    const head = [`driver ${s.driverVersion ?? 'unknown'}`, `CUDA ${s.cudaVersion ?? 'unknown'}`, `via ${s.nvidiaSmi}`];
    lines.push(head.join(', '));
    const rows = [
      ['GPU', 'NAME', 'MEMORY USED/TOTAL GiB', 'UTIL', 'TEMP', 'POWER W', 'CC', 'PROCESSES'],
      ...s.gpus.map((g) => [
        String(g.index),
        g.name,
        `${gib(g.memoryUsedMiB)} / ${gib(g.memoryTotalMiB)}`,
        orDash(g.utilizationPct, '%'),
        orDash(g.temperatureC, 'C'),
        `${orDash(g.powerDrawW)} / ${orDash(g.powerLimitW)}`,
        g.computeCap === null ? '?' : `${g.computeCap}${g.computeCapSource === 'name' ? '*' : ''}`,
        processesText(g),
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) lines.push(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
    if (s.gpus.some((g) => g.computeCapSource === 'name'))
      lines.push('* compute capability taken from the GPU name (this driver does not report it)');
  }
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export const gpusCommand: CliCommand = {
  name: 'gpus',
  summary: 'list NVIDIA GPUs (memory, load, compute capability, processes) via nvidia-smi',
  usage: [
    'Usage: vllm-panel gpus [--json]',
    '',
    'Queries nvidia-smi and prints one row per GPU: memory used/total, utilisation, temperature,',
    'power draw/limit, compute capability and the processes holding GPU memory.',
    'Exits 0 also when no GPU is found (the reason is printed). Set VLLM_PANEL_NVIDIA_SMI to use',
    'an nvidia-smi that is not on PATH.',
  ].join('\n'),
  async run(args, { io, json, getCore }) {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`);
    const core = await getCore();
    const r = await core.invoke('gpu:list', undefined);
    if (!r.ok) throw new Error(r.error.message);
    io.out(json ? JSON.stringify(r.value, null, 2) : formatGpuTable(r.value));
    return 0;
  },
};
