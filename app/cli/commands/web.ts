import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isLoopbackHost, isWildcardHost, TOKEN_PATTERN, urlHost } from '../../web/security';
import { startWebShell } from '../../web/server';
import { type CliCommand, type CliIo, UsageError } from '../types';

const DEFAULT_PORT = 7860;

const USAGE = [
  'Usage: vllm-panel web [--host 127.0.0.1] [--port 7860] [--open] [--token T | --no-token] [--json]',
  '',
  'Serves the panel UI to a browser and carries its API over one WebSocket — for GPU boxes',
  'without a display (reach it through an SSH tunnel: ssh -L 7860:127.0.0.1:7860 you@gpu-box).',
  'Prints a start URL with a random access token (like Jupyter); the browser keeps the token in a',
  'cookie after the first visit. Runs until Ctrl-C.',
  '',
  'Options:',
  '  --host H      interface to bind (default 127.0.0.1: this machine only). 0.0.0.0 exposes the',
  '                panel to your network; anyone with the token can then start processes here.',
  '  --port N      port (default 7860; 0 picks a free one)',
  '  --open        open the URL in the default browser',
  '  --token T     use this token instead of a random one (16–256 of A-Z a-z 0-9 . _ ~ -);',
  '                VLLM_PANEL_TOKEN does the same without showing the token in `ps`',
  '  --no-token    no token at all; only with a loopback --host (then any local user or program',
  '                can drive the panel)',
  '  --json        print {"url","host","port"} as one JSON line once listening',
  '',
  'VLLM_PANEL_WEB_ROOT overrides where the built UI is read from (default: dist/renderer).',
].join('\n');

/** Where the built renderer may be: beside the bundle (dist/cli.js → dist/renderer) or, when run from source, the repo's dist/. */
export function staticDirCandidates(env: Record<string, string | undefined>, moduleUrl: string = import.meta.url): string[] {
  if (env.VLLM_PANEL_WEB_ROOT) return [env.VLLM_PANEL_WEB_ROOT];
  return [fileURLToPath(new URL('./renderer/', moduleUrl)), fileURLToPath(new URL('../../../dist/renderer/', moduleUrl))];
}

/** argv (never a shell) that opens `url` in the default browser. */
export function browserOpenCommand(platform: NodeJS.Platform, url: string): { file: string; args: string[] } {
  if (platform === 'darwin') return { file: 'open', args: [url] };
  // `start` is a cmd.exe builtin (needs a shell); the URL protocol handler does the same without one.
  if (platform === 'win32') return { file: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { file: 'xdg-open', args: [url] };
}

function openBrowser(url: string, io: CliIo): void {
  const { file, args } = browserOpenCommand(process.platform, url);
  const note = (why: string) => io.err(`vllm-panel web: could not open a browser (${why}); open the URL above yourself.`);
  try {
    const child = spawn(file, args, { stdio: 'ignore', detached: process.platform !== 'win32', shell: false });
    child.once('error', (err) => note(`${file}: ${err.message}`));
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) note(`${file} exited with ${code}`);
    });
    child.unref();
  } catch (err) {
    note((err as Error).message);
  }
}

interface WebArgs {
  host: string;
  port: number;
  open: boolean;
  token: string | null | undefined;
}

export function parseWebArgs(args: string[], env: Record<string, string | undefined>): WebArgs {
  let values: { host?: string; port?: string; open?: boolean; token?: string; 'no-token'?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        open: { type: 'boolean' },
        token: { type: 'string' },
        'no-token': { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '' || /[\s/?#@]/.test(host)) throw new UsageError(`--host: '${host}' is not a host name or address`);
  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535)
      throw new UsageError(`--port: '${values.port}' is not a port (1–65535, or 0 for any free port)`);
    port = Number(values.port);
  }
  let token: string | null | undefined;
  if (values['no-token']) {
    if (values.token !== undefined) throw new UsageError('--token and --no-token exclude each other');
    if (!isLoopbackHost(host)) {
      throw new UsageError(
        `refusing --no-token with --host ${host}: anyone who can reach that address could start processes on this machine. Keep the token (the default) or bind 127.0.0.1.`,
      );
    }
    token = null;
  } else {
    const given = values.token ?? env.VLLM_PANEL_TOKEN;
    const source = values.token !== undefined ? '--token' : 'VLLM_PANEL_TOKEN';
    if (given !== undefined && !TOKEN_PATTERN.test(given)) throw new UsageError(`${source}: use 16–256 characters of A-Z a-z 0-9 . _ ~ -`);
    token = given;
  }
  return { host, port, open: values.open ?? false, token };
}

export const webCommand: CliCommand = {
  name: 'web',
  summary: 'serve the panel UI to a browser (headless GPU boxes, SSH tunnels)',
  usage: USAGE,
  async run(args, { io, json, getCore }) {
    const opts = parseWebArgs(args, io.env);
    const candidates = staticDirCandidates(io.env);
    const staticDir = candidates.find((d) => existsSync(join(d, 'index.html')));
    if (!staticDir) {
      const message = `the built UI is missing (looked for index.html in ${candidates.join(', ')}). Run \`npm run build\` first.`;
      if (json) io.out(JSON.stringify({ error: { kind: 'not_built', message } }));
      else io.err(`vllm-panel web: ${message}`);
      return 1;
    }

    const core = await getCore('web');
    const shell = await startWebShell({ core, host: opts.host, port: opts.port, token: opts.token, staticDir });
    try {
      if (json) {
        io.out(JSON.stringify({ url: shell.url, host: shell.host, port: shell.port }));
      } else {
        const lines = ['vLLM Panel is being served. Open this URL in a browser:', '', `    ${shell.url}`, ''];
        if (shell.token !== null) lines.push('The token in the URL is the password for this session; it changes when the panel restarts.');
        if (isWildcardHost(shell.host)) {
          const remote = `http://${urlHost(hostname())}:${shell.port}/${shell.token === null ? '' : `?token=${shell.token}`}`;
          lines.push(`Listening on all interfaces: from another machine use ${remote}`);
        } else if (isLoopbackHost(shell.host)) {
          lines.push(`From another machine: ssh -L ${shell.port}:127.0.0.1:${shell.port} you@this-host, then open the URL above there.`);
        }
        lines.push('Press Ctrl-C to stop.');
        io.out(lines.join('\n'));
        if (shell.token === null)
          io.err('vllm-panel web: warning: running without a token; any program or user on this machine can drive the panel.');
      }
      if (opts.open) openBrowser(shell.url, io);
      await io.interrupted;
    } finally {
      await shell.close();
    }
    return 0;
  },
};
