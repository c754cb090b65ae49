import type { Core } from '../host/core';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Resolves when the user presses Ctrl-C / the process gets SIGTERM (long-running commands). */
  interrupted: Promise<'SIGINT' | 'SIGTERM'>;
}

export interface CliCommand {
  name: string;
  /** One line for `vllm-panel --help`. */
  summary: string;
  /** Full usage text for `vllm-panel NAME --help`. */
  usage: string;
  /** Returns the process exit code. `core` is created lazily, only for commands that need it. */
  /** `getCore('web')` makes the core report shell 'web' (app:info); the default is 'cli'. */
  run(args: string[], ctx: { io: CliIo; json: boolean; getCore: (shell?: 'cli' | 'web') => Promise<Core> }): Promise<number>;
}

/** Thrown for bad command-line usage: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
