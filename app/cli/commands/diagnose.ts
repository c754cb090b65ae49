import { readFile, stat } from 'node:fs/promises';
import { diagnoseLog } from '../../server/diagnose';
import { PHASE_LABELS } from '../../server/phases';
import { type CliCommand, UsageError } from '../types';

// A log bigger than this is read from its end: the root cause is near the end, and a week-long
// log must not exhaust memory.
const MAX_BYTES = 64 * 1024 * 1024;

export const diagnoseCommand: CliCommand = {
  name: 'diagnose',
  summary: 'explain why a vLLM start failed, from its log, with remedies',
  usage: [
    'Usage: vllm-panel diagnose LOGFILE [--json]',
    '',
    'Reads a vLLM log (a file, or - for stdin) and prints the outcome (ready, failed,',
    'running-then-died, arg-error, incomplete), the root cause with your numbers, and remedies.',
    'Exit code: 0 when the log shows a healthy start, 1 when it shows a failure, 2 on usage errors.',
  ].join('\n'),
  async run(args, { io, json }) {
    const files = args.filter((a) => a === '-' || !a.startsWith('-'));
    const unknown = args.filter((a) => a !== '-' && a.startsWith('-'));
    if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}`);
    if (files.length !== 1) throw new UsageError('give exactly one LOGFILE (or - for stdin)');
    const file = files[0]!;
    let text: string;
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const buf = await readFile(file);
      text = (size > MAX_BYTES ? buf.subarray(buf.length - MAX_BYTES) : buf).toString('utf8');
    }
    const d = diagnoseLog(text);
    if (json) io.out(JSON.stringify(d));
    else {
      const lines = [
        `vLLM version: ${d.vllmVersion ?? 'unknown'}    model: ${d.model ?? 'unknown'}`,
        `Outcome:      ${d.outcome}    (last phase: ${PHASE_LABELS[d.phase]})`,
        `Error kind:   ${d.errorKind}`,
      ];
      if (d.message) lines.push(`Root cause:   ${d.message}${d.line ? `  (line ${d.line})` : ''}`);
      const nums = Object.entries(d.numbers).map(([k, v]) => `${k}=${v}`);
      if (nums.length) lines.push(`Numbers:      ${nums.join(', ')}`);
      if (d.remedies.length) lines.push('Remedies:', ...d.remedies.map((r) => `  - ${r.label}`));
      io.out(lines.join('\n'));
    }
    return d.outcome === 'ready' || d.outcome === 'incomplete' ? 0 : 1;
  },
};
