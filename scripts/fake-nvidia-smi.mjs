#!/usr/bin/env node
// A stand-in nvidia-smi for machines without a GPU (e2e, demos): prints a fixture from
// app/gpu/fixtures/<name>/ for the arguments the panel passes. Point the panel at it with
//   VLLM_PANEL_NVIDIA_SMI=scripts/fake-nvidia-smi.mjs FAKE_NVIDIA_SMI_FIXTURE=mixed-4
// FAKE_NVIDIA_SMI_FIXTURE is a fixture folder name or an absolute path (default h100x2-busy).
// A fixture folder holds:
//   query-gpu.csv            answer to --query-gpu=... --format=csv,noheader,nounits
//   query-compute-apps.csv   answer to --query-compute-apps=...
//   nvidia-smi.txt           answer to plain `nvidia-smi` (header with the CUDA version)
//   list.txt, version.txt    answers to -L and --version (optional)
//   error.json               { exitCode, stdout?, stderr? }: every call fails like this
//   unknown-fields.txt       query fields this "driver" rejects, one per line (old drivers)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'app', 'gpu', 'fixtures');
const name = process.env.FAKE_NVIDIA_SMI_FIXTURE || 'h100x2-busy';
const dir = isAbsolute(name) ? name : join(root, name);
const args = process.argv.slice(2);

function read(file) {
  const p = join(dir, file);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

function finish(code, stdout = '', stderr = '') {
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
}

if (!existsSync(dir)) {
  finish(1, '', `fake-nvidia-smi: no fixture folder ${dir} (FAKE_NVIDIA_SMI_FIXTURE=${name})\n`);
} else {
  const error = read('error.json');
  const delayMs = Number(process.env.FAKE_NVIDIA_SMI_DELAY_MS ?? 0);
  const answer = () => {
    if (error) {
      const e = JSON.parse(error);
      return finish(e.exitCode ?? 1, e.stdout ?? '', e.stderr ?? '');
    }
    const query = args.find((a) => a.startsWith('--query-gpu=') || a.startsWith('--query-compute-apps='));
    if (query) {
      const fields = query.slice(query.indexOf('=') + 1).split(',');
      const unknown = (read('unknown-fields.txt') ?? '').split(/\r?\n/).filter(Boolean);
      const bad = fields.find((f) => unknown.includes(f));
      // Same text and exit code as a real driver (fixtures/real-invalid-field.txt).
      if (bad) return finish(2, `Field "${bad}" is not a valid field to query.\n\n`);
      const file = query.startsWith('--query-gpu=') ? 'query-gpu.csv' : 'query-compute-apps.csv';
      return finish(0, read(file) ?? '');
    }
    if (args.includes('-L')) return finish(0, read('list.txt') ?? '');
    if (args.includes('--version')) return finish(0, read('version.txt') ?? '');
    if (args.length === 0) return finish(0, read('nvidia-smi.txt') ?? '');
    return finish(2, '', `fake-nvidia-smi: unsupported arguments: ${args.join(' ')}\n`);
  };
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
}
