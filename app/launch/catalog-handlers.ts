// Handlers of the launch contract: runtime detection, the flag catalog of the selected runtime,
// and flag validation. Catalogs of detected runtimes are loaded once per runtime+version.
import type { CatalogInfo } from '../contract/launch';
import { type CoreContext, type Handlers, PanelError } from '../host/context';
import { type Catalog, FLAG_GROUPS, getCatalog } from './catalog';
import { detectRuntimes, loadRuntimeFlags, type RuntimeFlags, type VllmRuntime } from './runtime';
import { validateFlags } from './validate';

type LaunchHandlers = Pick<Handlers, 'runtime:detect' | 'catalog:get' | 'flags:validate'>;

export interface LaunchCatalogService {
  /** Runtimes of the last detection, by id. */
  runtime(id: string): VllmRuntime | undefined;
  /** The catalog for a runtime (its installed help) or a version (built-in). */
  catalog(sel: { runtimeId?: string | undefined; version?: string | undefined }): Promise<{ catalog: Catalog; notes: string[] }>;
}

export function createLaunchCatalogService(ctx: CoreContext): LaunchCatalogService & { remember(list: VllmRuntime[]): void } {
  const runtimes = new Map<string, VllmRuntime>();
  const loaded = new Map<string, Promise<RuntimeFlags>>();
  return {
    remember(list) {
      for (const rt of list) runtimes.set(rt.id, rt);
    },
    runtime: (id) => runtimes.get(id),
    async catalog(sel) {
      if (sel.runtimeId !== undefined) {
        const rt = runtimes.get(sel.runtimeId);
        if (!rt) {
          throw new PanelError(
            'not_found',
            `Unknown vLLM runtime "${sel.runtimeId.slice(0, 200)}". Detect runtimes first.`,
            [],
            'runtimeId',
          );
        }
        const key = `${rt.id}\u0000${rt.version ?? ''}\u0000${rt.argv.join('\u0000')}`;
        let p = loaded.get(key);
        if (!p) {
          p = loadRuntimeFlags(ctx.deps, rt);
          loaded.set(key, p);
          // A failed load is not cached: the next request tries again.
          p.catch(() => loaded.delete(key));
        }
        const r = await p;
        return { catalog: r.catalog, notes: [...r.catalog.notes, ...(r.note ? [r.note] : [])] };
      }
      const catalog = getCatalog(sel.version);
      return { catalog, notes: [...catalog.notes] };
    },
  };
}

export function catalogInfo(catalog: Catalog, notes: string[]): CatalogInfo {
  const groupNames = new Set(catalog.groups());
  return {
    version: catalog.version,
    source: catalog.source,
    notes,
    groups: [
      ...FLAG_GROUPS.filter((g) => groupNames.has(g.name)),
      ...catalog
        .groups()
        .filter((g) => !FLAG_GROUPS.some((k) => k.name === g))
        .map((name) => ({ name, description: '' })),
    ],
    flags: catalog.all().map((f) => ({ ...f })),
    removed: catalog.removedItems().map((r) => ({ ...r })),
  };
}

/** How long a detection result is reused (a vLLM upgrade in a venv shows up after this, or on refresh). */
const DETECT_TTL_MS = 5 * 60_000;

export function launchHandlers(ctx: CoreContext): LaunchHandlers {
  const service = createLaunchCatalogService(ctx);
  let lastOptions: { extraVenvs?: string[]; customCommand?: string[] } = {};
  let last: { key: string; at: number; result: Promise<VllmRuntime[]> } | undefined;
  return {
    'runtime:detect': async (arg) => {
      // No argument = "the runtimes as last detected" (e.g. server:start resolving a runtime id).
      const options =
        arg?.extraVenvs || arg?.customCommand
          ? {
              ...(arg.extraVenvs ? { extraVenvs: arg.extraVenvs } : {}),
              ...(arg.customCommand ? { customCommand: arg.customCommand } : {}),
            }
          : arg === undefined
            ? lastOptions
            : {};
      const key = JSON.stringify(options);
      const now = ctx.deps.clock.now();
      if (!arg?.refresh && last && last.key === key && now - last.at < DETECT_TTL_MS) return { runtimes: await last.result };
      lastOptions = options;
      const result = detectRuntimes(ctx.deps, { cwd: ctx.deps.paths.cwd, ...options });
      last = { key, at: now, result };
      result.catch(() => {
        if (last?.result === result) last = undefined;
      });
      const runtimes = await result;
      service.remember(runtimes);
      return { runtimes };
    },
    'catalog:get': async (arg) => {
      const { catalog, notes } = await service.catalog({ runtimeId: arg?.runtimeId, version: arg?.version });
      return catalogInfo(catalog, notes);
    },
    'flags:validate': async (arg) => {
      const { catalog } = await service.catalog({ runtimeId: arg.runtimeId, version: arg.version });
      const issues = validateFlags(arg.flags, {
        catalog,
        ...(arg.gpuCount !== undefined ? { gpuCount: arg.gpuCount } : {}),
        ...(arg.env ? { env: arg.env } : {}),
      });
      return { issues };
    },
  };
}
