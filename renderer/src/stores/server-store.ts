import { create } from 'zustand';
import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import type { CommandArg, CommandResult, Remedy, Result, ServerStateDto, StopReport, UserError } from '../contract';
import { useAppStore } from './app-store';
import { useGpuStore } from './gpu-store';
import { useLogsStore } from './logs-store';
import { useProfileStore } from './profile-store';

export type ServerState = ServerStateDto;
export type Leftover = CommandResult<'server:leftovers'>[number];
export type StartRequest = CommandArg<'server:start'>;

/** Start errors the user may override (or fix with a remedy) from a confirm dialog. */
export const CONFIRMABLE_KINDS = ['planner_predicts_failure', 'gpu_in_use', 'port_in_use'] as const;
export type ConfirmKind = (typeof CONFIRMABLE_KINDS)[number];
const isConfirmable = (k: string): k is ConfirmKind => (CONFIRMABLE_KINDS as readonly string[]).includes(k);

/** Only these can be started anyway: a port in use would fail in vLLM a second later. */
export const canStartAnyway = (kind: ConfirmKind): boolean => kind !== 'port_in_use';

export interface PendingConfirm {
  kind: ConfirmKind;
  error: UserError;
  /** The request that was refused (with the confirmations given so far). */
  request: StartRequest;
  /** Labels of remedies applied from the dialog (the user then starts again). */
  applied: string[];
}

export type ServerAction = 'start' | 'stop' | 'restart' | 'reap' | 'bundle';

interface ServerStoreState {
  /** Null until the first server:state answer or `server` event. */
  state: ServerState | null;
  leftovers: Leftover[];
  /** The action in flight (buttons show it and refuse a second click). */
  pending: ServerAction | null;
  confirm: PendingConfirm | null;
  /** The last failed action's error (shown next to the controls; confirmable start errors go to `confirm`). */
  error: UserError | null;
  bundlePath: string | null;
  /** What the last reap (leftovers banner, kill-process remedy) stopped. */
  reapReport: StopReport | null;
  /** Remedies applied to the profile since the last failure (the failure card offers a restart then). */
  appliedRemedies: string[];
  load(): Promise<void>;
  loadLeftovers(): Promise<void>;
  /** Starts from the current profile and GPU selection. */
  start(): Promise<void>;
  /** Sends the refused request again with the confirmation the dialog asked for. */
  startAnyway(): Promise<void>;
  dismissConfirm(): void;
  stop(): Promise<void>;
  /** server:restart: the same launch again (the core keeps the last request). */
  restart(): Promise<void>;
  /** Stops if needed, then starts from the current profile (after a remedy changed it). */
  restartWithCurrent(): Promise<void>;
  reap(pids: number[]): Promise<void>;
  bundle(): Promise<void>;
  /** Applies one remedy: flags through the profile store, GPUs through the GPU store, processes by reaping. */
  applyRemedy(remedy: Remedy): Promise<boolean>;
  applyState(s: ServerState): void;
  clearError(): void;
}

/** States in which a server process exists (Stop makes sense, Start does not). */
export const isRunning = (s: ServerState['status'] | undefined): boolean =>
  s === 'preflight' || s === 'starting' || s === 'ready' || s === 'stopping';

const quiet = (e: UserError) => e.kind === 'disconnected' || e.kind === 'closed';

function notify(action: string, e: UserError): void {
  if (quiet(e)) return;
  useAppStore.getState().pushNotice({ level: 'error', message: `${action}: ${e.message}`, source: 'ui' });
}

/**
 * The request Start sends: the profile as edited now (saved or not), the ticked GPUs (when
 * nvidia-smi found any), and the same runtime, exposure and API key the command preview uses,
 * so what starts is what the Launch page shows.
 */
export function buildStartRequest(): StartRequest | UserError {
  const p = useProfileStore.getState();
  if (p.base === null)
    return { kind: 'no_profile', message: 'The profiles have not loaded yet: pick a profile on the Launch page.', remedies: [] };
  const g = useGpuStore.getState();
  const gpus = g.snapshot && g.snapshot.gpus.length > 0 && g.selection ? g.selection.indices : undefined;
  return {
    build: {
      profile: p.current,
      ...(gpus ? { gpus } : {}),
      ...(p.exposeOnNetwork ? { exposeOnNetwork: true } : {}),
      ...(p.apiKey ? { apiKey: p.apiKey } : {}),
    },
    ...(p.runtime ? { runtimeId: p.runtime.id } : {}),
  };
}

export const useServerStore = create<ServerStoreState>()((set, get) => {
  /** Runs one action with `pending` set; returns the Result. */
  async function act<T>(action: ServerAction, fn: () => Promise<Result<T>>): Promise<Result<T>> {
    set({ pending: action, error: null });
    try {
      return await fn();
    } finally {
      set({ pending: null });
    }
  }

  async function send(request: StartRequest): Promise<void> {
    const r = await act('start', () => getTransport().invoke('server:start', request));
    if (r.ok) {
      set({ state: r.value, confirm: null, appliedRemedies: [], bundlePath: null });
      return;
    }
    if (isConfirmable(r.error.kind)) {
      set({ confirm: { kind: r.error.kind, error: r.error, request, applied: [] } });
      return;
    }
    set({ error: r.error });
    notify('Could not start vLLM', r.error);
  }

  return {
    state: null,
    leftovers: [],
    pending: null,
    confirm: null,
    error: null,
    bundlePath: null,
    reapReport: null,
    appliedRemedies: [],
    async load() {
      const r = await getTransport().invoke('server:state');
      if (r.ok) get().applyState(r.value);
    },
    async loadLeftovers() {
      const r = await getTransport().invoke('server:leftovers');
      if (r.ok) set({ leftovers: r.value });
    },
    async start() {
      if (get().pending) return;
      const req = buildStartRequest();
      if (!('build' in req)) {
        set({ error: req });
        notify('Could not start vLLM', req);
        return;
      }
      await send(req);
    },
    async startAnyway() {
      const c = get().confirm;
      if (!c || !canStartAnyway(c.kind) || get().pending) return;
      // Keep earlier confirmations: a planner warning confirmed, then GPUs in use, asks only once each.
      const request: StartRequest = {
        ...c.request,
        ...(c.kind === 'planner_predicts_failure' ? { confirmPlannerFailure: true } : {}),
        ...(c.kind === 'gpu_in_use' ? { confirmGpuInUse: true } : {}),
      };
      // After a remedy was applied the profile changed: send the new one, with the confirmations.
      if (c.applied.length > 0) {
        const fresh = buildStartRequest();
        if ('build' in fresh) request.build = fresh.build;
      }
      set({ confirm: null });
      await send(request);
    },
    dismissConfirm() {
      set({ confirm: null });
    },
    async stop() {
      if (get().pending === 'stop') return;
      const r = await act('stop', () => getTransport().invoke('server:stop'));
      if (!r.ok) {
        set({ error: r.error });
        notify('Could not stop vLLM', r.error);
      }
      // The final state (with lastStop) arrives as a `server` event; ask too, in case it raced.
      void get().load();
    },
    async restart() {
      if (get().pending) return;
      const r = await act('restart', () => getTransport().invoke('server:restart'));
      if (r.ok) set({ state: r.value, appliedRemedies: [], bundlePath: null });
      else if (isConfirmable(r.error.kind)) {
        const fresh = buildStartRequest();
        set({ confirm: { kind: r.error.kind, error: r.error, request: 'build' in fresh ? fresh : { build: {} }, applied: [] } });
      } else {
        set({ error: r.error });
        notify('Could not restart vLLM', r.error);
      }
    },
    async restartWithCurrent() {
      if (get().pending) return;
      if (isRunning(get().state?.status)) await get().stop();
      await get().start();
    },
    async reap(pids) {
      if (pids.length === 0) return;
      const r = await act('reap', () => getTransport().invoke('server:reap', { pids }));
      if (r.ok) set({ reapReport: r.value });
      else {
        set({ error: r.error });
        notify('Could not stop the processes', r.error);
      }
      await get().loadLeftovers();
    },
    async bundle() {
      const r = await act('bundle', () => getTransport().invoke('server:bundle'));
      if (r.ok) set({ bundlePath: r.value.path });
      else {
        set({ error: r.error });
        notify('Could not save the diagnostic bundle', r.error);
      }
    },
    async applyRemedy(remedy) {
      const action = remedy.action;
      if (!action || action.type === 'open-url') return false; // links are opened by the view
      let ok = true;
      if (action.type === 'kill-process') {
        await get().reap([action.pid]);
        ok = get().error === null;
      } else {
        // Flags (set/unset) and GPU selection: the profile store owns both edits.
        ok = useProfileStore.getState().applyRemedy(remedy);
      }
      if (!ok) return false;
      const c = get().confirm;
      if (c) set({ confirm: { ...c, applied: [...c.applied, remedy.label] } });
      set({ appliedRemedies: [...get().appliedRemedies, remedy.label] });
      return true;
    },
    applyState(s) {
      const prev = get().state;
      // A new run starts over: what the previous one's failure card offered no longer applies.
      if (prev && s.runId !== prev.runId) set({ appliedRemedies: [], bundlePath: null });
      set({ state: s });
      if (prev && isRunning(prev.status) && !isRunning(s.status)) void get().loadLeftovers();
    },
    clearError() {
      set({ error: null });
    },
  };
});

/** `server` events in; state and leftovers again after every (re)connect. Called once from bootstrap. */
export function wireServerStore(transport: Transport): Unsubscribe {
  let wasOpen = transport.status.status === 'open';
  const sync = () => {
    void useServerStore.getState().load();
    void useServerStore.getState().loadLeftovers();
  };
  const offs = [
    transport.on('server', (s) => useServerStore.getState().applyState(s)),
    transport.onStatus((st) => {
      const open = st.status === 'open';
      if (open && !wasOpen) sync();
      wasOpen = open;
    }),
  ];
  if (wasOpen) sync();
  return () => {
    for (const off of offs) off();
  };
}

/** Where the failure card's "show in log" goes: the line of the diagnosis, else the last error. */
export function diagnosisSeq(diagnosisMessage: string, line: number | null): number | null {
  const buf = useLogsStore.getState().buffer;
  const msg = diagnosisMessage.trim();
  if (msg) {
    for (let i = buf.entries.length - 1; i >= 0; i--) {
      const e = buf.entries[i];
      if (e?.text.includes(msg)) return e.seq;
    }
  }
  // The diagnosis counts lines from the first one the core still held; so does the buffer.
  if (line !== null && buf.entries.length > 0) {
    const e = buf.entries[Math.min(Math.max(0, line - buf.dropped), buf.entries.length - 1)];
    return e?.seq ?? null;
  }
  return null;
}

/** Test hook. */
export function resetServerStoreForTests(): void {
  useServerStore.setState({
    state: null,
    leftovers: [],
    pending: null,
    confirm: null,
    error: null,
    bundlePath: null,
    reapReport: null,
    appliedRemedies: [],
  });
}
