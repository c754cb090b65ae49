// Process plumbing shared by the simulator's API server, EngineCore and worker processes.
import { type ChildProcess, spawn } from 'node:child_process';

export type Role = 'engine-core' | 'worker';
export const ROLE_FLAG = '--sim-role=';

/** A scaled pause: `seconds` of simulated time at VLLM_SIM_SPEED. */
export function pause(seconds: number, speed: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, (seconds * 1000) / speed)));
}

/** Never resolves (VLLM_SIM_HANG_AT): the event loop stays alive, signals still arrive. */
export function hangForever(): Promise<never> {
  setInterval(() => {}, 1 << 30);
  return new Promise<never>(() => {});
}

/**
 * Starts a child process of the simulator (same Node, same loader flags, same entry file) with
 * an IPC channel; stdout/stderr are inherited so every process writes into the same pipes, as
 * vLLM's multiprocessing children do. The child stays in the parent's process group.
 */
export function spawnRole(role: Role, extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot find the simulator entry file');
  return spawn(process.execPath, [...process.execArgv, entry, `${ROLE_FLAG}${role}`], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
    env: { ...process.env, ...extraEnv },
  });
}

/**
 * Exits when the parent dies: vLLM's workers watch their parent ("Parent process exited,
 * terminating worker"). The IPC channel closing is the fast signal; a re-parenting check is the
 * backstop. `onGone` may log before exiting.
 */
export function watchParent(onGone: () => void): void {
  const ppid = process.ppid;
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    onGone();
  };
  process.on('disconnect', fire);
  const t = setInterval(() => {
    if (process.ppid !== ppid) fire();
  }, 500);
  t.unref();
}

/** The first IPC message of a given type. */
export function firstMessage<T extends { t: string }>(type: T['t']): Promise<T> {
  return new Promise((resolve) => {
    const onMsg = (m: unknown) => {
      if (m && typeof m === 'object' && (m as { t?: unknown }).t === type) {
        process.off('message', onMsg);
        resolve(m as T);
      }
    };
    process.on('message', onMsg);
  });
}

export function send(msg: unknown): void {
  if (process.send && process.connected) process.send(msg);
}

/** Writes pending stdout/stderr before exiting (pipes may be asynchronous). */
export function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
  setTimeout(() => process.exit(code), 1000).unref();
}

/** A random-looking but valid TCP port for `distributed_init_method=tcp://127.0.0.1:PORT`. */
export function fakePort(seed: number): number {
  return 30000 + ((seed * 7919) % 30000);
}
