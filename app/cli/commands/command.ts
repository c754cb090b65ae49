import type { Gpu } from '../../contract/gpu';
import type { BuildRequest, BuiltCommand } from '../../contract/profiles';
import { parseGpuIndexList } from '../../gpu/selection';
import type { Core } from '../../host/core';
import { canonicalFlagName, getCatalog } from '../../launch/catalog';
import { parseFlagValue } from '../../launch/flag-value';
import type { FieldIssue, FlagValue, FlagValues } from '../../launch/types';
import { type CliCommand, type CliIo, UsageError } from '../types';

/** Options shared by `command` and `export-script`. */
export interface BuildArgs {
  profile: string;
  sets: { name: string; raw: string | undefined }[];
  gpus?: string;
  expose: boolean;
  apiKey?: string;
  vllmVersion?: string;
  /** Options the caller handles itself (export-script: --out, --force). */
  rest: Map<string, string | true>;
}

export const BUILD_OPTIONS_USAGE = [
  '  --profile P        built-in (THROUGHPUT, LOW_LATENCY, LONG_CONTEXT) or a saved profile, by name or id',
  '                     (default THROUGHPUT)',
  '  --set FLAG=VALUE   change one vLLM flag for this command (repeatable); any vLLM spelling:',
  '                     --set max_num_seqs=32 --set max-model-len=48k --set enable-prefix-caching=false',
  '  --gpus LIST        nvidia-smi indices, e.g. 0,1 or "all" (default: the panel\'s saved GPU selection)',
  '  --expose           bind 0.0.0.0 instead of 127.0.0.1 (warns without --api-key)',
  '  --api-key KEY      require this API key',
  '  --vllm-version V   build flags for this vLLM version (default: the newest the panel knows)',
].join('\n');

/** Parses argv; `extra` names the caller's own options (value-taking unless in `switches`). */
export function parseBuildArgs(args: string[], extra: { values?: string[]; switches?: string[] } = {}): BuildArgs {
  const out: BuildArgs = { profile: 'THROUGHPUT', sets: [], expose: false, rest: new Map() };
  const valueOpts = new Set(['--profile', '--set', '--gpus', '--api-key', '--vllm-version', ...(extra.values ?? [])]);
  const switches = new Set(['--expose', ...(extra.switches ?? [])]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.indexOf('=');
    const opt = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (switches.has(opt)) {
      if (opt === '--expose') out.expose = true;
      else out.rest.set(opt, true);
      continue;
    }
    if (!valueOpts.has(opt)) throw new UsageError(`unknown option '${a}'`);
    let value: string;
    if (opt !== a) value = a.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`${opt} needs a value`);
      value = next;
      i++;
    }
    switch (opt) {
      case '--profile':
        out.profile = value;
        break;
      case '--set': {
        const k = value.indexOf('=');
        const name = (k < 0 ? value : value.slice(0, k)).trim();
        if (!name) throw new UsageError(`--set needs FLAG=VALUE (got '${value}')`);
        out.sets.push({ name, raw: k < 0 ? undefined : value.slice(k + 1) });
        break;
      }
      case '--gpus':
        out.gpus = value;
        break;
      case '--api-key':
        out.apiKey = value;
        break;
      case '--vllm-version':
        out.vllmVersion = value;
        break;
      default:
        out.rest.set(opt, value);
    }
  }
  return out;
}

/** `--set` values typed with the catalog (a value the catalog cannot read stays text, so validation names it). */
export function overridesFrom(sets: BuildArgs['sets'], version?: string): FlagValues {
  const catalog = getCatalog(version);
  const out: FlagValues = {};
  for (const { name, raw } of sets) {
    const res = catalog.resolve(name.startsWith('-') ? name : `--${name}`);
    const key = res.subKey !== undefined ? `${res.name}.${res.subKey}` : canonicalFlagName(name);
    let value: FlagValue;
    if (!res.spec || res.subKey !== undefined) value = raw ?? true;
    else if (raw === undefined) value = !res.negated;
    else {
      const p = parseFlagValue(res.spec, raw);
      value = p.ok ? p.value : raw;
      if (p.ok && res.negated && typeof value === 'boolean') value = !value;
    }
    out[res.spec && res.subKey === undefined ? res.spec.name : key] = value;
  }
  return out;
}

/** Builds the request: resolves the profile by name or id and the GPU list against nvidia-smi. */
export async function buildRequest(core: Core, a: BuildArgs): Promise<BuildRequest> {
  const list = await core.invoke('profile:list', undefined);
  if (!list.ok) throw new Error(list.error.message);
  const wanted = a.profile.trim().toLowerCase();
  const p = list.value.profiles.find((x) => x.id === wanted) ?? list.value.profiles.find((x) => x.name.toLowerCase() === wanted);
  if (!p) {
    throw new UsageError(`no profile '${a.profile}' (profiles: ${list.value.profiles.map((x) => x.name).join(', ')})`);
  }
  let gpus: number[] | undefined;
  if (a.gpus !== undefined) {
    let detected: Pick<Gpu, 'index'>[] = [];
    if (a.gpus.trim() === 'all') {
      const snap = await core.invoke('gpu:list', { maxAgeMs: 2000 });
      if (snap.ok) detected = snap.value.gpus;
    }
    try {
      gpus = parseGpuIndexList(a.gpus, detected);
    } catch (err) {
      throw new UsageError(`--gpus: ${(err as Error).message}`);
    }
  }
  return {
    profileId: p.id,
    ...(a.sets.length ? { overrides: overridesFrom(a.sets, a.vllmVersion) } : {}),
    ...(gpus ? { gpus } : {}),
    ...(a.expose ? { exposeOnNetwork: true } : {}),
    ...(a.apiKey !== undefined ? { apiKey: a.apiKey } : {}),
    ...(a.vllmVersion !== undefined ? { vllmVersion: a.vllmVersion } : {}),
  };
}

export function formatIssue(i: FieldIssue): string {
  return `${i.severity} ${i.field}: ${i.message}`;
}

/** Prints issues; returns 2 when any is an error (bad flags: the field is named), else 0. */
export function reportIssues(io: CliIo, issues: FieldIssue[], json: boolean): number {
  if (!json) for (const i of issues) io.err(formatIssue(i));
  return issues.some((i) => i.severity === 'error') ? 2 : 0;
}

export const commandCommand: CliCommand = {
  name: 'command',
  summary: 'print the vllm serve command (argv + env) a profile launches',
  usage: [
    'Usage: vllm-panel command [--profile P] [--set FLAG=VALUE]... [--gpus 0,1] [--expose] [--json]',
    '',
    'Prints the command the panel would run for a profile, shell-quoted for copy/paste',
    '(the panel itself never runs it through a shell). With --json: {argv, env, issues, display}.',
    'Problems go to stderr as "<severity> <field>: <message>"; exit status 2 when one is an error.',
    '',
    'Options:',
    BUILD_OPTIONS_USAGE,
  ].join('\n'),
  async run(args, { io, json, getCore }) {
    const a = parseBuildArgs(args);
    const core = await getCore();
    const req = await buildRequest(core, a);
    const r = await core.invoke('command:build', req);
    if (!r.ok) {
      if (r.error.kind === 'invalid_argument' || r.error.kind === 'not_found')
        throw new UsageError(`${r.error.field ? `${r.error.field}: ` : ''}${r.error.message}`);
      throw new Error(r.error.message);
    }
    const c: BuiltCommand = r.value;
    if (json)
      io.out(
        JSON.stringify(
          {
            argv: c.argv,
            env: c.env,
            issues: c.issues,
            display: c.display,
            gpus: c.gpus,
            dataParallelSize: c.dataParallelSize,
            vllmVersion: c.vllmVersion,
          },
          null,
          2,
        ),
      );
    else io.out(c.display);
    return reportIssues(io, c.issues, json);
  },
};
