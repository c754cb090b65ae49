// Command-line texts of the top-level `vllm` parser that the shared serve-argument parser
// (app/launch/argv.ts) does not print: usage lines and the error shapes of vllm-cli.md §3.
//   unknown flag  → top-level usage + "vllm: error: unrecognized arguments: …"          exit 2
//   bad value     → "usage: vllm serve [model_tag] [options]" + "vllm serve: error: …"  exit 2

export const SERVE_USAGE = 'usage: vllm serve [model_tag] [options]';

/** vLLM's default model when no model_tag is given (vllm-cli.md §1; facebook/opt-125m before ~0.10). */
export function defaultModel(version: string): string {
  const [maj, min] = version.split('.').map(Number) as [number, number];
  return maj === 0 && min < 10 ? 'facebook/opt-125m' : 'Qwen/Qwen3-0.6B';
}

/** argparse's top-level usage, wrapped like HelpFormatter at 80 − 2 columns (vllm-logs 11 vs 12). */
export function topLevelUsage(subcommands: readonly string[]): string {
  const positional = `{${subcommands.join(',')}} ...`;
  const one = `usage: vllm [-h] [-v] ${positional}`;
  if (one.length <= 78) return one;
  return `usage: vllm [-h] [-v]\n${' '.repeat('usage: vllm '.length)}${positional}`;
}

export function unrecognizedText(subcommands: readonly string[], extras: readonly string[]): string {
  return `${topLevelUsage(subcommands)}\nvllm: error: unrecognized arguments: ${extras.join(' ')}\n`;
}

export function serveErrorText(message: string): string {
  return `${SERVE_USAGE}\nvllm serve: error: ${message}\n`;
}

/** `vllm --help` (top level). Subcommand help texts follow vLLM's CLI modules (paraphrased where unverified). */
export function topLevelHelp(subcommands: readonly string[]): string {
  const descriptions: Record<string, string> = {
    chat: 'Generate chat completions via the running API server.',
    complete: 'Generate text completions based on the given prompt via the running API server.',
    serve: 'Launch a local OpenAI-compatible API server to serve LLM completions via HTTP.',
    launch: 'Launch a vLLM component.',
    bench: 'vLLM bench subcommand.',
    'collect-env': 'Start collecting environment information.',
    'run-batch': 'Run batch prompts and write results to file.',
  };
  const lines = [
    topLevelUsage(subcommands),
    '',
    'vLLM CLI',
    '',
    'positional arguments:',
    `  {${subcommands.join(',')}}`,
    ...subcommands.map((s) => `    ${s.padEnd(20)}${descriptions[s] ?? ''}`),
    '',
    'options:',
    '  -h, --help            show this help message and exit',
    "  -v, --version         show program's version number and exit",
    '',
    'For full list:            vllm [subcommand] --help=all',
    'For a section:            vllm [subcommand] --help=ModelConfig    (case-insensitive)',
    'For a flag:               vllm [subcommand] --help=max-model-len  (_ or - accepted)',
    'Documentation:            https://docs.vllm.ai',
  ];
  return `${lines.join('\n')}\n`;
}
