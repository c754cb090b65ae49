import type { CliCommand } from '../types';
import { webCommand } from './web';

/**
 * Every `vllm-panel` subcommand. Later issues add theirs here:
 * gpus, plan, command, export-script, diagnose, run, status, bench.
 */
export const cliCommands: CliCommand[] = [webCommand];
