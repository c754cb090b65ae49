import type { CliCommand } from '../types';
import { benchCommand } from './bench';
import { commandCommand } from './command';
import { diagnoseCommand } from './diagnose';
import { exportScriptCommand } from './export-script';
import { gpusCommand } from './gpus';
import { planCommand } from './plan';
import { runCommand } from './run';
import { statusCommand } from './status';
import { webCommand } from './web';

/**
 * Every `vllm-panel` subcommand. Later issues add theirs here:
 * gpus, plan, command, export-script, diagnose, run, status, bench.
 */
export const cliCommands: CliCommand[] = [
  runCommand,
  diagnoseCommand,
  webCommand,
  gpusCommand,
  commandCommand,
  exportScriptCommand,
  planCommand,
  statusCommand,
  benchCommand,
];
