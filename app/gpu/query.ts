// Runs nvidia-smi (argv arrays, with a timeout) and turns its output into a GpuSnapshot.
// Never throws: every failure becomes `{ gpus: [], reason }` with what happened and what to do.
import type { GpuSnapshot } from '../contract/gpu';
import type { RunCommand, RunResult } from '../host/deps';
import { APPS_QUERY_FIELDS, attachProcesses, GPU_QUERY_FIELDS, parseAppsCsv, parseGpuCsv, parseSmiHeader } from './parse';

/**
 * nvidia-smi normally answers in well under a second, but without persistence mode each call
 * initialises the driver for every GPU (seconds on 8-GPU boxes), and a hung GPU makes it block
 * for a long time. 10 s covers the slow case and still reports a hang quickly.
 */
export const NVIDIA_SMI_TIMEOUT_MS = 10_000;

export function nvidiaSmiPath(env: Record<string, string | undefined>): string {
  const p = env.VLLM_PANEL_NVIDIA_SMI?.trim();
  return p ? p : 'nvidia-smi';
}

export function gpuQueryArgs(fields: readonly string[] = GPU_QUERY_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

export const APPS_QUERY_ARGS = [`--query-compute-apps=${APPS_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];

export interface QueryGpuOptions {
  run: RunCommand;
  env: Record<string, string | undefined>;
  now: () => number;
  timeoutMs?: number;
  /** Also run plain `nvidia-smi` for the CUDA version (the poller does this once, then caches). */
  withHeader?: boolean;
  /** A CUDA version learned earlier, reused when withHeader is false. */
  cudaVersion?: string | null;
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** Explains a failed nvidia-smi run to the user: what happened, then what to do. */
export function explainFailure(path: string, fromEnv: boolean, r: RunResult, timeoutMs: number): string {
  if (r.spawnError !== undefined) {
    const notFound = /ENOENT|not found/i.test(r.spawnError);
    const denied = /EACCES|permission denied/i.test(r.spawnError);
    if (fromEnv) {
      return `VLLM_PANEL_NVIDIA_SMI is set to "${path}", which could not be run (${notFound ? 'no such file' : denied ? 'permission denied' : r.spawnError}). Point it at the nvidia-smi executable, or unset it to use nvidia-smi from PATH.`;
    }
    if (notFound) {
      return 'nvidia-smi was not found on PATH, so no NVIDIA GPU can be detected. Install the NVIDIA driver (it provides nvidia-smi), or set VLLM_PANEL_NVIDIA_SMI to its full path. Without a GPU you can still try the panel with the simulator runtime.';
    }
    return `nvidia-smi could not be started (${denied ? 'permission denied' : r.spawnError}). Check that "${path}" is executable by your user, or set VLLM_PANEL_NVIDIA_SMI to a working copy.`;
  }
  if (r.timedOut) {
    return `nvidia-smi did not answer within ${Math.round(timeoutMs / 1000)} s. The driver may be busy or a GPU may need a reset: run \`nvidia-smi\` in a terminal and check \`dmesg\` for Xid errors; enabling persistence mode (\`sudo nvidia-smi -pm 1\`) makes queries fast.`;
  }
  const out = `${r.stdout}\n${r.stderr}`;
  const said = firstLine(r.stderr) || firstLine(r.stdout) || `exit code ${r.exitCode}`;
  if (/couldn't communicate with the NVIDIA driver|NVIDIA driver is not loaded/i.test(out)) {
    return `nvidia-smi cannot talk to the NVIDIA driver ("${said}"). Install or load the driver (\`sudo modprobe nvidia\`, or reboot after installing it); inside a container, start it with GPU access (--gpus all).`;
  }
  if (/Driver\/library version mismatch/i.test(out)) {
    return `The NVIDIA kernel driver and its user-space library differ ("${said}"), usually right after a driver update. Reboot, or reload the nvidia kernel modules.`;
  }
  if (/No devices were found/i.test(out)) {
    return 'nvidia-smi found no NVIDIA GPU. Check that the GPU is seated and powered, and in a VM or container that it is passed through.';
  }
  if (/Insufficient Permissions/i.test(out)) {
    return `nvidia-smi was refused access to the GPUs ("${said}"). Add your user to the group that owns /dev/nvidia* (often "video"), or ask an administrator.`;
  }
  return `nvidia-smi failed (exit code ${r.exitCode ?? 'none'}): ${said}. Run \`nvidia-smi\` in a terminal to see the full message.`;
}

/** Old drivers (before R510) reject compute_cap: "Field "compute_cap" is not a valid field to query." */
function rejectsField(r: RunResult, field: string): boolean {
  return new RegExp(`"?${field.replace('.', '\\.')}"? is not a valid field`, 'i').test(`${r.stdout}\n${r.stderr}`);
}

export async function queryGpus(opts: QueryGpuOptions): Promise<GpuSnapshot> {
  const path = nvidiaSmiPath(opts.env);
  const fromEnv = path !== 'nvidia-smi';
  const timeoutMs = opts.timeoutMs ?? NVIDIA_SMI_TIMEOUT_MS;
  // The panel's environment goes to the child as is (PATH, CUDA_VISIBLE_DEVICES are its business).
  const runSmi = (args: string[]) => opts.run(path, args, { env: opts.env, timeoutMs, maxBuffer: 4 * 1024 * 1024 });
  const warnings: string[] = [];

  // The GPU, process and header queries are independent: run them side by side, since each
  // nvidia-smi start pays the driver initialisation again.
  let fields: readonly string[] = GPU_QUERY_FIELDS;
  const [firstGpuRun, appsRun, headerRun] = await Promise.all([
    runSmi(gpuQueryArgs(fields)),
    runSmi(APPS_QUERY_ARGS),
    opts.withHeader ? runSmi([]) : Promise.resolve(undefined),
  ]);
  let gpuRun = firstGpuRun;
  if (rejectsField(gpuRun, 'compute_cap')) {
    fields = GPU_QUERY_FIELDS.filter((f) => f !== 'compute_cap');
    gpuRun = await runSmi(gpuQueryArgs(fields));
    warnings.push('This driver has no compute_cap query (drivers before R510); compute capability was taken from the GPU name.');
  }

  const header = headerRun && headerRun.exitCode === 0 ? parseSmiHeader(headerRun.stdout) : undefined;
  const cudaVersion = header?.cudaVersion ?? opts.cudaVersion ?? null;
  const base = { warnings, cudaVersion, nvidiaSmi: path };

  if (gpuRun.spawnError !== undefined || gpuRun.timedOut || gpuRun.exitCode !== 0) {
    return { at: opts.now(), gpus: [], reason: explainFailure(path, fromEnv, gpuRun, timeoutMs), driverVersion: null, ...base };
  }
  const parsed = parseGpuCsv(gpuRun.stdout, fields);
  if (parsed.gpus.length === 0) {
    const reason =
      parsed.rejected.length > 0
        ? `nvidia-smi printed something that is not the GPU list we asked for ("${parsed.rejected[0]?.slice(0, 200)}"). Run \`nvidia-smi ${gpuQueryArgs(fields).join(' ')}\` in a terminal; if VLLM_PANEL_NVIDIA_SMI is set, check that it points to nvidia-smi.`
        : 'nvidia-smi ran but listed no GPU. Check that the GPU is seated and powered, and in a VM or container that it is passed through.';
    return { at: opts.now(), gpus: [], reason, driverVersion: header?.driverVersion ?? null, ...base };
  }
  if (parsed.rejected.length > 0) {
    warnings.push(
      `Ignored ${parsed.rejected.length} line(s) of nvidia-smi output that were not GPU rows: "${parsed.rejected[0]?.slice(0, 200)}"`,
    );
  }

  let apps: ReturnType<typeof parseAppsCsv>['apps'] = [];
  if (appsRun.spawnError !== undefined || appsRun.timedOut || appsRun.exitCode !== 0) {
    warnings.push(`Could not list the processes using the GPUs: ${explainFailure(path, fromEnv, appsRun, timeoutMs)}`);
  } else {
    const pa = parseAppsCsv(appsRun.stdout);
    apps = pa.apps;
    if (pa.rejected.length > 0)
      warnings.push(`Ignored ${pa.rejected.length} unreadable process line(s): "${pa.rejected[0]?.slice(0, 200)}"`);
  }
  const { gpus, orphans } = attachProcesses(parsed.gpus, apps);
  if (orphans.length > 0)
    warnings.push(`${orphans.length} GPU process(es) ran on a GPU not in the list (pid ${orphans.map((o) => o.pid).join(', ')}).`);

  const driverVersion = gpus.find((g) => g.driverVersion !== null)?.driverVersion ?? header?.driverVersion ?? null;
  return { at: opts.now(), gpus, driverVersion, ...base };
}
