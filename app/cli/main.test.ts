import { describe, expect, it } from 'vitest';
import { PANEL_VERSION } from '../version';
import { runCli } from './main';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, interrupted: new Promise<never>(() => {}) },
  };
}

describe('vllm-panel CLI frame', () => {
  it('prints the version from package.json', async () => {
    const t = io();
    expect(await runCli(['--version'], t.io)).toBe(0);
    expect(t.out[0]).toMatch(/^\d+\.\d+\.\d+/);
    expect(t.out[0]).toBe(PANEL_VERSION);
  });

  it('lists commands in --help and as JSON', async () => {
    const t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    expect(t.out.join('\n')).toContain('web');
    const j = io();
    expect(await runCli(['--help', '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.out[0]!).commands.map((c: { name: string }) => c.name)).toContain('web');
  });

  it('rejects an unknown command with exit 2 and a JSON error in --json mode', async () => {
    const t = io();
    expect(await runCli(['frobnicate'], t.io)).toBe(2);
    expect(t.err[0]).toContain("unknown command 'frobnicate'");
    const j = io();
    expect(await runCli(['frobnicate', '--json'], j.io)).toBe(2);
    expect(JSON.parse(j.out[0]!).error.kind).toBe('usage');
  });

  it('exits 2 with usage when run without a command', async () => {
    const t = io();
    expect(await runCli([], t.io)).toBe(2);
    expect(t.out[0]).toContain('Usage: vllm-panel');
  });
});
