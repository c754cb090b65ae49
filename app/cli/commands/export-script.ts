import { chmod, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type CliCommand, UsageError } from '../types';
import { BUILD_OPTIONS_USAGE, buildRequest, parseBuildArgs, reportIssues } from './command';

/** Launchers are programs: owner rwx, others r-x (chmod 755), like the script we replace. */
const SCRIPT_MODE = 0o755;

export const exportScriptCommand: CliCommand = {
  name: 'export-script',
  summary: 'write a standalone bash launcher (vllm serve …) for a profile',
  usage: [
    'Usage: vllm-panel export-script [--profile P] [--out FILE [--force]] [--set FLAG=VALUE]... [--gpus 0,1] [--json]',
    '',
    'Writes a bash launcher equivalent to what the panel runs: activates ./.venv when it exists,',
    'exports the environment (GPU selection, TOKENIZERS_PARALLELISM, …) and execs vllm serve with',
    'every argument quoted. Arguments given to the script are passed on to vllm serve.',
    'Without --out the script goes to stdout. With --out the file is made executable (755); an',
    'existing file is only replaced with --force. Exit status 2 when a flag is invalid (named on stderr).',
    '',
    'Options:',
    '  --out FILE         write the script to FILE instead of stdout',
    '  --force            replace FILE if it exists',
    BUILD_OPTIONS_USAGE,
  ].join('\n'),
  async run(args, { io, json, getCore }) {
    const a = parseBuildArgs(args, { values: ['--out'], switches: ['--force'] });
    const out = a.rest.get('--out');
    const force = a.rest.get('--force') === true;
    if (force && out === undefined) throw new UsageError('--force only applies with --out');
    const core = await getCore();
    const req = await buildRequest(core, a);
    const r = await core.invoke('script:export', req);
    if (!r.ok) {
      if (r.error.kind === 'invalid_argument' || r.error.kind === 'not_found')
        throw new UsageError(`${r.error.field ? `${r.error.field}: ` : ''}${r.error.message}`);
      throw new Error(r.error.message);
    }
    const { text, filename, issues } = r.value;
    const code = reportIssues(io, issues, json);
    if (code !== 0) {
      // Never write a launcher that vLLM would refuse.
      if (json) io.out(JSON.stringify({ error: { kind: 'invalid_flags', message: 'the profile has invalid flags' }, issues }, null, 2));
      return code;
    }
    if (typeof out === 'string') {
      const path = resolve(out);
      let fh: Awaited<ReturnType<typeof open>>;
      try {
        fh = await open(path, force ? 'w' : 'wx', SCRIPT_MODE);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${out} exists; add --force to replace it`);
        throw err;
      }
      try {
        await fh.writeFile(text, 'utf8');
      } finally {
        await fh.close();
      }
      // open()'s mode is masked by the umask and ignored for an existing file: set it explicitly.
      await chmod(path, SCRIPT_MODE);
      if (json) io.out(JSON.stringify({ path, filename, issues }, null, 2));
      else io.err(`wrote ${path}`);
      return 0;
    }
    if (json) io.out(JSON.stringify({ text, filename, issues }, null, 2));
    else io.out(text);
    return 0;
  },
};
