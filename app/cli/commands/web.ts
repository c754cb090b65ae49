import type { CliCommand } from '../types';

// Placeholder until the web shell lands (issue 2): keeps the registry compiling.
export const webCommand: CliCommand = {
  name: 'web',
  summary: 'serve the panel UI to a browser (headless GPU boxes)',
  usage: 'Usage: vllm-panel web [--host 127.0.0.1] [--port 7860] [--open]',
  async run(_args, { io }) {
    io.err('vllm-panel web: not built yet');
    return 1;
  },
};
