// The simulator's effective configuration: parsed `vllm serve` flags with vLLM's defaults applied,
// plus the VLLM_SIM_* switches. Plain JSON, handed to the EngineCore and worker processes.
import { getCatalog } from '../app/launch/catalog';
import type { FlagValue, FlagValues } from '../app/launch/types';
import type { SimGpu } from './gpu';
import { type InstallPaths, installPaths } from './log/traceback';
import { wantColor } from './log/writer';

/** Startup phases VLLM_SIM_HANG_AT can stop at (in order). */
export const HANG_PHASES = [
  'args',
  'engine-start',
  'load-weights',
  'torch-compile',
  'profile',
  'kv-cache',
  'cuda-graphs',
  'api-start',
  'startup',
] as const;
export type HangPhase = (typeof HANG_PHASES)[number];

export interface SimSwitches {
  /** Divides every simulated duration (startup phases and engine steps). */
  speed: number;
  color: boolean;
  hangAt: HangPhase | null;
  /** Wall seconds after the engine is ready at which EngineCore_DP0 dies. */
  crashAfterS: number | null;
  ignoreSigterm: boolean;
  /** Lines per second of access-log noise once the server is up. */
  logFlood: number;
  /** Children do not watch their parent (to test orphan clean-up). */
  orphanChildren: boolean;
  /** Seconds between "Engine 000: Avg prompt throughput" lines. */
  statsIntervalS: number;
}

export interface SimConfig {
  version: string;
  model: string;
  servedModelNames: string[];
  /** model_name label of /metrics and the `model` field of responses: first served name, else the model. */
  modelName: string;
  /** Flags given on the command line (canonical names). */
  flags: FlagValues;
  host: string | null;
  port: number;
  apiKeys: string[];
  tp: number;
  dp: number;
  enforceEager: boolean;
  chunkedPrefill: boolean;
  attentionBackend: string;
  reasoningParser: string | null;
  toolCallParser: string | null;
  accessLog: boolean;
  accessLogExclude: string[];
  uvicornLogLevel: string;
  disableLogStats: boolean;
  logRequests: boolean;
  promptTokensDetails: boolean;
  forceIncludeUsage: boolean;
  docs: boolean;
  generationConfigVllm: boolean;
  trustRemoteCode: boolean;
  seed: number;
  gpus: SimGpu[];
  switches: SimSwitches;
  paths: InstallPaths;
}

function positive(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function readSwitches(env: NodeJS.ProcessEnv): SimSwitches {
  const speed = positive(env.VLLM_SIM_SPEED, 1);
  const hang = (env.VLLM_SIM_HANG_AT ?? '').trim();
  const crash = Number(env.VLLM_SIM_CRASH_AFTER_S);
  const statsDefault = Math.max(0.5, 10 / speed);
  return {
    speed,
    color: wantColor(env),
    hangAt: (HANG_PHASES as readonly string[]).includes(hang) ? (hang as HangPhase) : null,
    crashAfterS: env.VLLM_SIM_CRASH_AFTER_S !== undefined && Number.isFinite(crash) && crash >= 0 ? crash : null,
    ignoreSigterm: ['1', 'true', 'yes'].includes((env.VLLM_SIM_IGNORE_SIGTERM ?? '').toLowerCase()),
    logFlood: Math.max(0, Number(env.VLLM_SIM_LOG_FLOOD) || 0),
    orphanChildren: ['1', 'true', 'yes'].includes((env.VLLM_SIM_ORPHAN_CHILDREN ?? '').toLowerCase()),
    // vLLM's VLLM_LOG_STATS_INTERVAL (10 s); the simulator shortens it with VLLM_SIM_SPEED.
    statsIntervalS: positive(env.VLLM_LOG_STATS_INTERVAL, statsDefault),
  };
}

const str = (v: FlagValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
const bool = (v: FlagValue | undefined, d: boolean): boolean => (typeof v === 'boolean' ? v : d);
const int = (v: FlagValue | undefined, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

export function buildConfig(
  args: { model: string; values: FlagValues },
  version: string,
  gpus: SimGpu[],
  env: NodeJS.ProcessEnv,
): SimConfig {
  const f = args.values;
  const catalog = getCatalog(version);
  const served = Array.isArray(f['served-model-name'])
    ? (f['served-model-name'] as string[])
    : typeof f['served-model-name'] === 'string'
      ? [f['served-model-name'] as string]
      : [];
  const apiKeys = Array.isArray(f['api-key'])
    ? (f['api-key'] as string[])
    : typeof f['api-key'] === 'string'
      ? [f['api-key'] as string]
      : [];
  if (apiKeys.length === 0 && env.VLLM_API_KEY) apiKeys.push(env.VLLM_API_KEY);
  const exclude = str(f['disable-access-log-for-endpoints']);
  const portDefault = catalog.get('port')?.default;
  return {
    version,
    model: args.model,
    servedModelNames: served.length ? served : [args.model],
    modelName: served[0] ?? args.model,
    flags: f,
    host: str(f.host),
    port: int(f.port, typeof portDefault === 'number' ? portDefault : 8000),
    apiKeys,
    tp: Math.max(1, int(f['tensor-parallel-size'], 1)),
    dp: Math.max(1, int(f['data-parallel-size'], 1)),
    enforceEager: bool(f['enforce-eager'], false),
    chunkedPrefill: bool(f['enable-chunked-prefill'], true),
    attentionBackend: str(f['attention-backend']) ?? 'FLASHINFER',
    reasoningParser: str(f['reasoning-parser']),
    toolCallParser: str(f['tool-call-parser']),
    accessLog: !bool(f['disable-uvicorn-access-log'], false),
    accessLogExclude: exclude
      ? exclude
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
    uvicornLogLevel: str(f['uvicorn-log-level']) ?? 'info',
    disableLogStats: bool(f['disable-log-stats'], false),
    logRequests: bool(f['enable-log-requests'], false),
    promptTokensDetails: bool(f['enable-prompt-tokens-details'], false),
    forceIncludeUsage: bool(f['enable-force-include-usage'], false),
    docs: !bool(f['disable-fastapi-docs'], false),
    generationConfigVllm: str(f['generation-config']) === 'vllm',
    trustRemoteCode: bool(f['trust-remote-code'], false),
    seed: int(f.seed, 0),
    gpus,
    switches: readSwitches(env),
    paths: installPaths(env),
  };
}
