import { readdir, readFile } from 'node:fs/promises';
import type { RunCommand } from '../host/deps';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time (clock ticks since boot on Linux; '' elsewhere): pid + start identify a process. */
  start: string;
  /** Full command line (or the process name when it is not readable). */
  cmd: string;
}

/** Reads the process table: /proc on Linux (no fork), `ps` elsewhere. */
export async function listProcesses(run?: RunCommand, platform: NodeJS.Platform = process.platform, withCmd = true): Promise<ProcInfo[]> {
  if (platform === 'linux') {
    try {
      return await fromProc(withCmd);
    } catch {
      // fall through to ps (e.g. /proc mounted with hidepid)
    }
  }
  if (!run) return [];
  const r = await run('ps', ['-A', '-o', 'pid=,ppid=,pgid=,args='], { timeoutMs: 5000 });
  const out: ProcInfo[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), start: '', cmd: m[4]! });
  }
  return out;
}

/** `withCmd: false` skips the cmdline reads (the slow part): for polling during a stop. */
async function fromProc(withCmd: boolean): Promise<ProcInfo[]> {
  const names = await readdir('/proc');
  const out: ProcInfo[] = [];
  await Promise.all(
    names.map(async (n) => {
      if (!/^\d+$/.test(n)) return;
      try {
        const stat = await readFile(`/proc/${n}/stat`, 'utf8');
        // comm may contain spaces and parens: fields after the last ')'.
        const close = stat.lastIndexOf(')');
        const fields = stat.slice(close + 2).split(' ');
        const state = fields[0];
        if (state === 'Z') return; // zombies hold no memory; they vanish when reaped
        let cmd = '';
        if (withCmd) {
          try {
            cmd = (await readFile(`/proc/${n}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
          } catch {
            // process exited between reads
          }
        }
        if (!cmd) cmd = stat.slice(stat.indexOf('(') + 1, close);
        // Field 22 of stat (starttime); fields[] starts at field 3 (state).
        out.push({ pid: Number(n), ppid: Number(fields[1]), pgid: Number(fields[2]), start: fields[19] ?? '', cmd });
      } catch {
        // exited while we were reading
      }
    }),
  );
  return out;
}

/** Every process in group `pgid` plus every descendant of `rootPid` (a child may change group). */
export function treeOf(procs: readonly ProcInfo[], rootPid: number, pgid: number): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const found = new Map<number, ProcInfo>();
  for (const p of procs) if (p.pgid === pgid) found.set(p.pid, p);
  const stack = [rootPid, ...found.keys()];
  while (stack.length) {
    const pid = stack.pop()!;
    for (const c of byParent.get(pid) ?? []) {
      if (!found.has(c.pid)) {
        found.set(c.pid, c);
        stack.push(c.pid);
      }
    }
  }
  const root = procs.find((p) => p.pid === rootPid);
  if (root) found.set(root.pid, root);
  return [...found.values()].sort((a, b) => a.pid - b.pid);
}

/**
 * vLLM-looking processes (for leftovers from earlier runs): `vllm serve`, the OpenAI entrypoint
 * module, VLLM:: process titles, and the bundled simulator (API server `sim.js serve`, its
 * children `--sim-role=…`).
 */
export const VLLM_CMD =
  /(?:^|[\s/])vllm(?:\s+serve\b|\.entrypoints)|VLLM::|(?:vllm-sim|[\\/]sim\.js|[\\/]sim[\\/]main\.ts)\s+(?:serve\b|--sim-role=)/;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
