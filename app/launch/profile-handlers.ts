// Handlers of the profiles contract: profile CRUD + diff, the command builder, and launcher
// script export/import. One ProfileStore per core, loaded on first use.
import type { BuildRequest } from '../contract/profiles';
import { gpuService } from '../gpu/service';
import { type CoreContext, type Handlers, PanelError } from '../host/context';
import { PANEL_VERSION } from '../version';
import { getCatalog } from './catalog';
import { type BuildInput, type BuildOutput, buildCommand } from './command';
import { newUserProfileId, ProfileStore, ProfileStoreError } from './profile-store';
import { builtinProfile, closestBuiltin, DEFAULT_PROFILE_ID, diffProfiles } from './profiles';
import { type ExportOutput, exportScript, importCommand } from './script';
import type { Profile } from './types';

type ProfileHandlers = Pick<
  Handlers,
  | 'profile:list'
  | 'profile:save'
  | 'profile:create'
  | 'profile:duplicate'
  | 'profile:rename'
  | 'profile:delete'
  | 'profile:diff'
  | 'command:build'
  | 'script:export'
  | 'script:import'
>;

/** How old a GPU snapshot may be when building a command (one default poll interval). */
const GPU_SNAPSHOT_MAX_AGE_MS = 2000;

export interface ProfileService {
  store(): Promise<ProfileStore>;
  /** The inputs of buildCommand for a request (profile, GPUs with nvidia-smi info, runtime). */
  buildInput(req: BuildRequest): Promise<BuildInput>;
  build(req: BuildRequest): Promise<BuildOutput>;
  exportScript(req: BuildRequest): Promise<ExportOutput>;
}

const services = new WeakMap<CoreContext, ProfileService>();

function toPanelError(err: unknown): unknown {
  if (err instanceof ProfileStoreError) {
    const remedies = err.kind === 'read_only' ? [{ label: 'Duplicate the profile and edit the copy' }] : [];
    return new PanelError(err.kind, err.message, remedies, err.field);
  }
  return err;
}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toPanelError(err);
  }
}

/** The one ProfileService of a core (the server supervisor can build commands through it too). */
export function profileService(ctx: CoreContext): ProfileService {
  const existing = services.get(ctx);
  if (existing) return existing;
  let loading: Promise<ProfileStore> | undefined;
  const store = (): Promise<ProfileStore> => {
    loading ??= (async () => {
      const s = new ProfileStore(ctx.deps.paths.configDir, ctx.deps.clock.now);
      const problem = await s.load();
      if (problem) ctx.emit('notice', { level: 'warning', message: problem, at: ctx.deps.clock.now() });
      return s;
    })();
    return loading;
  };

  const resolveProfile = async (req: BuildRequest): Promise<Profile> => {
    if (req.profile) return req.profile;
    const s = await store();
    return guard(async () => s.require(req.profileId ?? DEFAULT_PROFILE_ID));
  };

  const buildInput = async (req: BuildRequest): Promise<BuildInput> => {
    const profile = await resolveProfile(req);
    const gpu = gpuService(ctx);
    let gpus: BuildInput['gpus'];
    if (req.gpus) {
      const snap = await gpu.snapshot(GPU_SNAPSHOT_MAX_AGE_MS);
      gpus = { selected: req.gpus, info: snap.gpus };
    } else {
      // The saved selection (every detected GPU when the user never chose). No GPUs at all
      // (no nvidia-smi, the simulator) → no GPU env: vLLM decides, as without the panel.
      const sel = await gpu.selection();
      if (sel.indices.length > 0) {
        const snap = await gpu.snapshot(GPU_SNAPSHOT_MAX_AGE_MS);
        gpus = { selected: sel.indices, info: snap.gpus };
      }
    }
    const rt = req.runtime;
    const version = req.vllmVersion ?? rt?.version ?? null;
    return {
      profile,
      ...(req.overrides ? { overrides: req.overrides } : {}),
      ...(gpus ? { gpus } : {}),
      runtime: {
        argv: rt?.argv ?? ['vllm'],
        version,
        ...(rt?.venvDir ? { venvDir: rt.venvDir } : {}),
        ...(rt?.kind ? { kind: rt.kind } : {}),
        ...(rt?.env ? { env: rt.env } : {}),
      },
      catalog: getCatalog(version),
      ...(req.exposeOnNetwork !== undefined ? { exposeOnNetwork: req.exposeOnNetwork } : {}),
      ...(req.apiKey !== undefined ? { apiKey: req.apiKey } : {}),
      baseEnv: ctx.deps.env,
    };
  };

  const svc: ProfileService = {
    store,
    buildInput,
    build: async (req) => buildCommand(await buildInput(req)),
    exportScript: async (req) =>
      exportScript({ ...(await buildInput(req)), panelVersion: PANEL_VERSION, date: new Date(ctx.deps.clock.now()) }),
  };
  services.set(ctx, svc);
  return svc;
}

export function profileHandlers(ctx: CoreContext): ProfileHandlers {
  const svc = profileService(ctx);
  const changed = async () => {
    const s = await svc.store();
    ctx.emit('profiles', { profiles: s.list() });
  };
  const mutate = async <T>(fn: (s: ProfileStore) => Promise<T>): Promise<T> => {
    const s = await svc.store();
    const r = await guard(() => fn(s));
    await changed();
    return r;
  };

  return {
    'profile:list': async () => ({ profiles: (await svc.store()).list() }),
    'profile:save': ({ profile }) => mutate((s) => s.save(profile)),
    'profile:create': ({ name, from, profile }) => mutate((s) => s.create(name, from, profile)),
    'profile:duplicate': ({ id, name }) => mutate((s) => s.duplicate(id, name)),
    'profile:rename': ({ id, name }) => mutate((s) => s.rename(id, name)),
    'profile:delete': ({ id }) =>
      mutate(async (s) => {
        await s.delete(id);
        return { deleted: id };
      }),
    'profile:diff': async ({ id, against }) => {
      const s = await svc.store();
      return guard(async () => {
        const p = s.require(id);
        const base = against ? s.require(against) : p.builtin ? (builtinProfile(p.id) as Profile) : closestBuiltin(p);
        return { against: base.id, changes: diffProfiles(base, p) };
      });
    },
    'command:build': (req) => svc.build(req),
    'script:export': async (req) => {
      const r = await svc.exportScript(req);
      return { text: r.text, filename: r.filename, issues: r.issues };
    },
    'script:import': ({ text, caseChoice }) => {
      const r = importCommand(text, { ...(caseChoice !== undefined ? { caseChoice } : {}), newId: newUserProfileId });
      return r;
    },
  };
}
