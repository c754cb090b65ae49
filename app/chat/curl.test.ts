import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../contract/index';
import { KEY_PLACEHOLDER, renderCurl, shellQuote } from './curl';

const req: RecordedRequest = {
  url: 'http://127.0.0.1:8000/v1/chat/completions',
  body: {
    model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
    messages: [
      { role: 'system', content: '/think' },
      // Everything a shell would love to expand or split.
      { role: 'user', content: `It's "quoted" $HOME \`id\` $(whoami) \\ back\nnew line ; | & ! * ?` },
    ],
    temperature: 0.6,
    stream: true,
  },
  auth: true,
};

/** Runs the command in bash with `curl` replaced by a function that prints its argv, one per NUL. */
function argvOf(command: string, env: Record<string, string> = {}): string[] {
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `curl() { printf '%s\\0' "$@"; }\n${command}`], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

describe('Copy as curl', () => {
  it('redacts the key by default: the header reads $VLLM_API_KEY, the key is nowhere', () => {
    const r = renderCurl(req, 'sk-very-secret', false);
    expect(r.redacted).toBe(true);
    expect(r.command).not.toContain('sk-very-secret');
    expect(r.command).toContain(`Authorization: Bearer ${KEY_PLACEHOLDER}`);
    const argv = argvOf(r.command, { VLLM_API_KEY: 'from-env' });
    expect(argv).toContain('Authorization: Bearer from-env');
  });

  it('reproduces the request exactly: URL, headers, and the JSON body byte for byte through the shell', () => {
    const r = renderCurl(req, 'sk-very-secret', true);
    expect(r.redacted).toBe(false);
    const argv = argvOf(r.command);
    expect(argv).toEqual([
      '-sS',
      '-N',
      req.url,
      '-H',
      'Content-Type: application/json',
      '-H',
      'Authorization: Bearer sk-very-secret',
      '-d',
      JSON.stringify(req.body),
    ]);
  });

  it('no key, no Authorization header', () => {
    const r = renderCurl({ ...req, auth: false }, undefined, false);
    expect(r.command).not.toContain('Authorization');
    expect(r.redacted).toBe(false);
  });

  it('shellQuote survives single quotes', () => {
    expect(argvOf(`curl ${shellQuote("a'b''c")}`)).toEqual(["a'b''c"]);
  });
});
