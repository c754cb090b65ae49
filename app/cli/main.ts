import { type Core, createCore } from '../host/core';
import { defaultDeps, defaultPaths } from '../host/deps';
import { PANEL_VERSION } from '../version';
import { cliCommands } from './commands/index';
import { type CliIo, UsageError } from './types';

function mainHelp(): string {
  const width = Math.max(...cliCommands.map((c) => c.name.length));
  return [
    `vllm-panel ${PANEL_VERSION} — a control panel for running vLLM on your own NVIDIA GPUs`,
    '',
    'Usage: vllm-panel <command> [options]',
    '',
    'Commands:',
    ...cliCommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --json       machine-readable output (one JSON document on stdout)',
    '  --help, -h   help for the panel or for one command (vllm-panel <command> --help)',
    '  --version    print the panel version',
    '',
    'Without a command, `npm start` opens the desktop app (or the web shell where Electron cannot run).',
  ].join('\n');
}

/** Runs the CLI; returns the exit code. `argv` excludes node and the script path. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const first = args[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (json) io.out(JSON.stringify({ version: PANEL_VERSION, commands: cliCommands.map((c) => ({ name: c.name, summary: c.summary })) }));
    else io.out(mainHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(json ? JSON.stringify({ version: PANEL_VERSION }) : PANEL_VERSION);
    return 0;
  }
  const cmd = cliCommands.find((c) => c.name === first);
  if (!cmd) {
    const msg = `vllm-panel: unknown command '${first}'. Run 'vllm-panel --help' for the list.`;
    if (json) io.out(JSON.stringify({ error: { kind: 'usage', message: msg } }));
    else io.err(msg);
    return 2;
  }
  const rest = args.slice(1);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(cmd.usage);
    return 0;
  }
  let core: Core | undefined;
  const getCore = async (shell: 'cli' | 'web' = 'cli') => {
    // Paths from io.env too (VLLM_PANEL_HOME), so an injected env is honoured end to end.
    core ??= await createCore(defaultDeps({ shell, version: PANEL_VERSION, env: io.env, paths: defaultPaths(io.env) }));
    return core;
  };
  try {
    return await cmd.run(rest, { io, json, getCore });
  } catch (err) {
    if (err instanceof UsageError) {
      if (json) io.out(JSON.stringify({ error: { kind: 'usage', message: err.message } }));
      else io.err(`vllm-panel ${cmd.name}: ${err.message}\n\n${cmd.usage}`);
      return 2;
    }
    const message = (err as Error)?.message ?? String(err);
    if (json) io.out(JSON.stringify({ error: { kind: 'internal', message } }));
    else io.err(`vllm-panel ${cmd.name}: ${message}`);
    return 1;
  } finally {
    await core?.dispose();
  }
}
