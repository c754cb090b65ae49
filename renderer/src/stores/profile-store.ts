import { create } from 'zustand';
import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import type { CommandArg, CommandResult, Remedy, UserError } from '../contract';
import { useAppStore } from './app-store';
import { useGpuStore } from './gpu-store';

export type Profile = CommandResult<'profile:list'>['profiles'][number];
export type FlagValue = Profile['flags'][string];
export type BuiltCommand = CommandResult<'command:build'>;
export type FieldIssue = BuiltCommand['issues'][number];
export type CatalogInfo = CommandResult<'catalog:get'>;
export type FlagSpec = CatalogInfo['flags'][number];
export type ImportResult = CommandResult<'script:import'>;
export type ProfileChange = CommandResult<'profile:diff'>['changes'][number];
export type Runtime = CommandResult<'runtime:detect'>['runtimes'][number];
type BuildRequest = CommandArg<'command:build'>;

/** Until the core answers: the launcher's default model with no flags (the planner still gets a model). */
const PLACEHOLDER: Profile = {
  id: 'throughput',
  name: 'THROUGHPUT',
  builtin: true,
  description: '',
  model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
  flags: {},
  env: {},
  extraArgs: [],
};

/** Typing pause before the command is rebuilt (validation round trip to the core). */
const REBUILD_DELAY_MS = 150;

interface ProfileState {
  profiles: Profile[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: UserError | null;
  selectedId: string;
  /** The saved profile being edited (null before the first load). */
  base: Profile | null;
  /** The effective profile: the saved one plus unsaved edits. What Start and the planner use. */
  current: Profile;
  /** Flag catalog of the runtime that will run (groups, kinds, defaults, help). */
  catalog: CatalogInfo | null;
  /** The runtime Start will use (same rule as the server: first non-simulator runtime, else the simulator). */
  runtime: Runtime | null;
  /** Runtime detection has answered (until then the preview shows the plain `vllm` program). */
  runtimeChecked: boolean;
  /** The command for `current` (argv, env, display) with the core's validation issues. */
  command: BuiltCommand | null;
  commandError: UserError | null;
  building: boolean;
  exposeOnNetwork: boolean;
  apiKey: string;
  diff: { against: string; changes: ProfileChange[] } | null;
  importResult: ImportResult | null;
  importText: string;

  load(): Promise<void>;
  select(id: string): void;
  /** Sets a flag (canonical name); `undefined` removes it (vLLM's default applies). */
  setFlag(name: string, value: FlagValue | undefined): void;
  setModel(model: string): void;
  setEnv(name: string, value: string | undefined): void;
  renameEnv(from: string, to: string): void;
  setExtraArgs(args: string[]): void;
  setExpose(on: boolean): void;
  setApiKey(key: string): void;
  /** Applies a planner/diagnosis remedy to the current profile (flags) or GPU selection. Returns whether it applied. */
  applyRemedy(remedy: Remedy): boolean;
  /** Drops unsaved edits. */
  revert(): void;
  /** Saves edits: a user profile in place; a built-in as a new user profile (built-ins are read-only). */
  save(): Promise<boolean>;
  create(name: string, from?: string): Promise<boolean>;
  duplicate(id: string): Promise<boolean>;
  rename(id: string, name: string): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  loadDiff(): Promise<void>;
  rebuild(): void;
  buildNow(): Promise<void>;
  exportScript(): Promise<{ text: string; filename: string } | null>;
  readImport(text: string, caseChoice?: string): Promise<void>;
  saveImport(name: string, useGpus: boolean): Promise<boolean>;
  clearImport(): void;
  applyProfiles(list: Profile[]): void;
}

const clone = (p: Profile): Profile => JSON.parse(JSON.stringify(p)) as Profile;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A name not used yet: "THROUGHPUT custom", "THROUGHPUT custom 2", … */
export function uniqueProfileName(base: string, profiles: readonly Profile[]): string {
  const taken = new Set(profiles.map((p) => p.name.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base} ${i}`.toLowerCase())) return `${base} ${i}`;
}

/** Unsaved edits? */
export const isDirty = (s: Pick<ProfileState, 'base' | 'current'>): boolean => s.base !== null && !same(s.base, s.current);

/** Issues for one field (flag name, "model", "env:NAME"). */
export const issuesFor = (command: BuiltCommand | null, field: string): FieldIssue[] =>
  command?.issues.filter((i) => i.field === field) ?? [];

const quiet = (e: UserError) => e.kind === 'disconnected' || e.kind === 'closed';
function notify(action: string, e: UserError): void {
  if (quiet(e)) return;
  useAppStore.getState().pushNotice({ level: 'error', message: `${action}: ${e.message}`, source: 'ui' });
}

let rebuildTimer: ReturnType<typeof setTimeout> | undefined;
let buildSeq = 0;

/** The GPUs to build for: the ticked ones when nvidia-smi found GPUs, else let the core decide (none). */
function gpuIndices(): number[] | undefined {
  const g = useGpuStore.getState();
  if (!g.snapshot || g.snapshot.gpus.length === 0 || !g.selection) return undefined;
  return g.selection.indices;
}

export const useProfileStore = create<ProfileState>()((set, get) => {
  const edit = (fn: (p: Profile) => void) => {
    const next = clone(get().current);
    fn(next);
    set({ current: next });
    get().rebuild();
  };
  /** Adds or replaces one profile (the core's `profiles` event may already have brought it). */
  const upsert = (p: Profile) => {
    const list = get().profiles;
    get().applyProfiles(list.some((x) => x.id === p.id) ? list.map((x) => (x.id === p.id ? p : x)) : [...list, p]);
  };
  const adopt = (p: Profile) => {
    set({ selectedId: p.id, base: clone(p), current: clone(p), diff: null });
    get().rebuild();
  };

  return {
    profiles: [],
    status: 'idle',
    error: null,
    selectedId: PLACEHOLDER.id,
    base: null,
    current: PLACEHOLDER,
    catalog: null,
    runtime: null,
    runtimeChecked: false,
    command: null,
    commandError: null,
    building: false,
    exposeOnNetwork: false,
    apiKey: '',
    diff: null,
    importResult: null,
    importText: '',

    async load() {
      set({ status: get().profiles.length ? 'ready' : 'loading' });
      const t = getTransport();
      const [list, catalog] = await Promise.all([t.invoke('profile:list'), t.invoke('catalog:get')]);
      if (!list.ok) {
        set({ status: 'error', error: list.error });
        return;
      }
      if (catalog.ok) set({ catalog: catalog.value });
      set({ status: 'ready', error: null });
      get().applyProfiles(list.value.profiles);
      if (get().base === null) {
        const first = list.value.profiles.find((p) => p.id === get().selectedId) ?? list.value.profiles[0];
        if (first) adopt(first);
      }
      // The runtime decides the program in the preview and the flag catalog; detection can take a while.
      const rts = await t.invoke('runtime:detect');
      if (!rts.ok) set({ runtimeChecked: true });
      if (rts.ok) {
        const usable = rts.value.runtimes.filter((r) => !r.error);
        const rt = usable.find((r) => r.kind !== 'sim') ?? usable[0] ?? null;
        set({ runtime: rt, runtimeChecked: true });
        if (rt) {
          const c = await t.invoke('catalog:get', { runtimeId: rt.id });
          if (c.ok) set({ catalog: c.value });
        }
        get().rebuild();
      }
    },

    select(id) {
      const p = get().profiles.find((x) => x.id === id);
      if (p) adopt(p);
    },
    setFlag(name, value) {
      edit((p) => {
        if (value === undefined) delete p.flags[name];
        else p.flags[name] = value;
      });
    },
    setModel(model) {
      edit((p) => {
        p.model = model;
      });
    },
    setEnv(name, value) {
      edit((p) => {
        if (value === undefined) delete p.env[name];
        else p.env[name] = value;
      });
    },
    renameEnv(from, to) {
      if (from === to) return;
      edit((p) => {
        const entries = Object.entries(p.env).map(([k, v]) => (k === from ? [to, v] : [k, v]) as [string, string]);
        p.env = Object.fromEntries(entries);
      });
    },
    setExtraArgs(args) {
      edit((p) => {
        p.extraArgs = args;
      });
    },
    setExpose(on) {
      set({ exposeOnNetwork: on });
      get().rebuild();
    },
    setApiKey(key) {
      set({ apiKey: key });
      get().rebuild();
    },
    applyRemedy(remedy) {
      const a = remedy.action;
      if (!a) return false;
      if (a.type === 'set-flag') {
        get().setFlag(a.flag, a.value);
        return true;
      }
      if (a.type === 'unset-flag') {
        get().setFlag(a.flag, undefined);
        return true;
      }
      if (a.type === 'select-gpus') {
        void useGpuStore.getState().select(a.gpus);
        return true;
      }
      return false;
    },
    revert() {
      const b = get().base;
      if (b) {
        set({ current: clone(b) });
        get().rebuild();
      }
    },
    async save() {
      const { base, current, profiles } = get();
      if (!base) return false;
      const t = getTransport();
      const r = base.builtin
        ? await t.invoke('profile:create', { name: uniqueProfileName(`${base.name} custom`, profiles), profile: current })
        : await t.invoke('profile:save', { profile: current });
      if (!r.ok) {
        notify('Could not save the profile', r.error);
        return false;
      }
      upsert(r.value);
      adopt(r.value);
      return true;
    },
    async create(name, from) {
      const r = await getTransport().invoke('profile:create', { name, ...(from ? { from } : {}) });
      if (!r.ok) {
        notify('Could not create the profile', r.error);
        return false;
      }
      upsert(r.value);
      adopt(r.value);
      return true;
    },
    async duplicate(id) {
      const r = await getTransport().invoke('profile:duplicate', { id });
      if (!r.ok) {
        notify('Could not duplicate the profile', r.error);
        return false;
      }
      upsert(r.value);
      adopt(r.value);
      return true;
    },
    async rename(id, name) {
      const r = await getTransport().invoke('profile:rename', { id, name });
      if (!r.ok) {
        notify('Could not rename the profile', r.error);
        return false;
      }
      upsert(r.value);
      return true;
    },
    async remove(id) {
      const r = await getTransport().invoke('profile:delete', { id });
      if (!r.ok) {
        notify('Could not delete the profile', r.error);
        return false;
      }
      get().applyProfiles(get().profiles.filter((p) => p.id !== id));
      return true;
    },
    async loadDiff() {
      const { base } = get();
      if (!base || base.builtin) {
        set({ diff: null });
        return;
      }
      const r = await getTransport().invoke('profile:diff', { id: base.id });
      if (r.ok) set({ diff: r.value });
    },

    rebuild() {
      if (rebuildTimer !== undefined) clearTimeout(rebuildTimer);
      set({ building: true });
      rebuildTimer = setTimeout(() => {
        rebuildTimer = undefined;
        void get().buildNow();
      }, REBUILD_DELAY_MS);
    },
    async buildNow() {
      const seq = ++buildSeq;
      const { current, exposeOnNetwork, apiKey, runtime } = get();
      const gpus = gpuIndices();
      const req: BuildRequest = {
        profile: current,
        ...(gpus ? { gpus } : {}),
        ...(exposeOnNetwork ? { exposeOnNetwork } : {}),
        ...(apiKey ? { apiKey } : {}),
        ...(runtime ? { runtime } : {}),
      };
      const r = await getTransport().invoke('command:build', req);
      if (seq !== buildSeq) return; // a newer edit is on its way
      if (r.ok) set({ command: r.value, commandError: null, building: false });
      else set({ commandError: r.error, building: false });
    },
    async exportScript() {
      const { current, exposeOnNetwork, apiKey, runtime } = get();
      const gpus = gpuIndices();
      const r = await getTransport().invoke('script:export', {
        profile: current,
        ...(gpus ? { gpus } : {}),
        ...(exposeOnNetwork ? { exposeOnNetwork } : {}),
        ...(apiKey ? { apiKey } : {}),
        ...(runtime ? { runtime } : {}),
      });
      if (!r.ok) {
        notify('Could not export the script', r.error);
        return null;
      }
      return { text: r.value.text, filename: r.value.filename };
    },
    async readImport(text, caseChoice) {
      set({ importText: text });
      const r = await getTransport().invoke('script:import', { text, ...(caseChoice ? { caseChoice } : {}) });
      if (r.ok) set({ importResult: r.value });
      else notify('Could not read the command', r.error);
    },
    async saveImport(name, useGpus) {
      const res = get().importResult;
      if (!res) return false;
      const r = await getTransport().invoke('profile:create', { name, profile: res.profile });
      if (!r.ok) {
        notify('Could not save the imported profile', r.error);
        return false;
      }
      if (useGpus && res.gpus && res.gpus.length > 0) void useGpuStore.getState().select(res.gpus);
      if (res.exposeOnNetwork) set({ exposeOnNetwork: true });
      upsert(r.value);
      adopt(r.value);
      set({ importResult: null, importText: '' });
      return true;
    },
    clearImport() {
      set({ importResult: null, importText: '' });
    },

    applyProfiles(list) {
      const builtins = list.filter((p) => p.builtin);
      const users = list.filter((p) => !p.builtin).sort((a, b) => a.name.localeCompare(b.name));
      const profiles = [...builtins, ...users];
      set({ profiles });
      const { base, selectedId, current } = get();
      if (!base) return;
      const fresh = profiles.find((p) => p.id === selectedId);
      if (!fresh) {
        // Deleted (here or elsewhere): fall back to the first built-in.
        const first = profiles[0];
        if (first) adopt(first);
        return;
      }
      if (!same(fresh, base)) {
        // Changed elsewhere (another window, a rename): follow it unless there are local edits.
        const dirty = !same(base, current);
        set({ base: clone(fresh), ...(dirty ? {} : { current: clone(fresh) }) });
        if (!dirty) get().rebuild();
      }
    },
  };
});

/** Events in; the command follows the GPU ticks; reload after a reconnect. Called once from bootstrap. */
export function wireProfileStore(transport: Transport): Unsubscribe {
  let wasOpen = transport.status.status === 'open';
  const offs: Unsubscribe[] = [
    transport.on('profiles', (p) => useProfileStore.getState().applyProfiles(p.profiles)),
    transport.onStatus((st) => {
      const open = st.status === 'open';
      if (open && !wasOpen && useProfileStore.getState().status !== 'idle') void useProfileStore.getState().load();
      wasOpen = open;
    }),
    useGpuStore.subscribe((s, prev) => {
      if (s.selection?.indices !== prev.selection?.indices || (s.snapshot?.gpus.length ?? 0) !== (prev.snapshot?.gpus.length ?? 0)) {
        if (useProfileStore.getState().base) useProfileStore.getState().rebuild();
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** Test hook. */
export function resetProfileStoreForTests(): void {
  if (rebuildTimer !== undefined) clearTimeout(rebuildTimer);
  rebuildTimer = undefined;
  buildSeq = 0;
  useProfileStore.setState({
    profiles: [],
    status: 'idle',
    error: null,
    selectedId: PLACEHOLDER.id,
    base: null,
    current: PLACEHOLDER,
    catalog: null,
    runtime: null,
    runtimeChecked: false,
    command: null,
    commandError: null,
    building: false,
    exposeOnNetwork: false,
    apiKey: '',
    diff: null,
    importResult: null,
    importText: '',
  });
}
