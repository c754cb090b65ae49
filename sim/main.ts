// vllm-sim: a stand-in for the `vllm` command (see README "Simulator (no GPU)").
//   vllm-sim serve MODEL [flags]     the OpenAI-compatible server, as `vllm serve`
//   vllm-sim --version | -v          the emulated version (VLLM_SIM_VERSION)
//   vllm-sim --help                  top-level help
// Internal: `--sim-role=engine-core` / `--sim-role=worker` start the child processes.

import { runServe } from './api/server';
import { topLevelHelp, topLevelUsage } from './cli/argv';
import { ROLE_FLAG } from './proc/common';
import { runEngineCore } from './proc/engine-core';
import { runWorker } from './proc/worker';
import { versionTraits } from './version';

// A reader that goes away (the panel killed, a closed pipe) must not crash the server: Python's
// logging reports such write errors and carries on, and so does the simulator.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

async function main(argv: string[]): Promise<number | undefined> {
  const first = argv[0];
  if (first?.startsWith(ROLE_FLAG)) {
    const role = first.slice(ROLE_FLAG.length);
    if (role === 'engine-core') await runEngineCore();
    else if (role === 'worker') await runWorker();
    else return 2;
    return undefined;
  }
  let traits: ReturnType<typeof versionTraits>;
  try {
    traits = versionTraits(process.env.VLLM_SIM_VERSION);
  } catch (err) {
    process.stderr.write(`vllm-sim: ${(err as Error).message}\n`);
    return 2;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${traits.version}\n`);
    return 0;
  }
  if (first === undefined || first === '-h' || first === '--help') {
    process.stdout.write(topLevelHelp(traits.subcommands));
    return 0;
  }
  if (first === 'serve') return runServe(argv.slice(1), process.env);
  if (traits.subcommands.includes(first)) {
    process.stderr.write(`vllm-sim: the '${first}' subcommand is not simulated (only 'serve' is).\n`);
    return 2;
  }
  // argparse: an unknown subcommand is an invalid choice of the top-level positional.
  process.stderr.write(
    `${topLevelUsage(traits.subcommands)}\nvllm: error: argument subparser: invalid choice: '${first}' (choose from ${traits.subcommands.map((s) => `'${s}'`).join(', ')})\n`,
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) {
      process.exitCode = code;
      // Flush, then leave even if something keeps the loop alive.
      process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
    }
  },
  (err: unknown) => {
    process.stderr.write(`vllm-sim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
