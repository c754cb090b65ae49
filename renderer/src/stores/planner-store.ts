import { create } from 'zustand';
import { getTransport } from '../api';
import type { CommandArg, CommandResult, UserError } from '../contract';

export type PlanRequestArg = CommandArg<'plan:compute'>;
export type PlanResult = CommandResult<'plan:compute'>;

/** The gauge asks on every keystroke; the planner runs once typing pauses this long. */
export const PLAN_DEBOUNCE_MS = 100;

interface PlannerState {
  /** Latest answer (kept while a newer request is pending, so the gauge does not flicker). */
  result: PlanResult | null;
  /** The request `result` answers. */
  resultFor: PlanRequestArg | null;
  status: 'idle' | 'pending' | 'ready' | 'error';
  error: UserError | null;
  /** Asks for a plan after PLAN_DEBOUNCE_MS of quiet; an identical request to the last one is skipped. */
  requestPlan(req: PlanRequestArg): void;
  /** Runs a pending request now (tests; "apply" buttons that want the answer at once). */
  flush(): Promise<void>;
  /** Drops any pending request and forgets the result. */
  reset(): void;
}

let timer: ReturnType<typeof setTimeout> | undefined;
let pending: PlanRequestArg | undefined;
let lastKey: string | undefined;
// Answers can arrive out of order (a slow config read, then a fast cached one): keep only the newest.
let seq = 0;

async function run(req: PlanRequestArg, set: (p: Partial<PlannerState>) => void): Promise<void> {
  const mine = ++seq;
  const r = await getTransport().invoke('plan:compute', req);
  if (mine !== seq) return;
  if (r.ok) set({ result: r.value, resultFor: req, status: 'ready', error: null });
  else {
    // A dropped connection is shown by the status bar; the last plan stays visible meanwhile.
    lastKey = undefined;
    set({ status: 'error', error: r.error });
  }
}

export const usePlannerStore = create<PlannerState>()((set, get) => ({
  result: null,
  resultFor: null,
  status: 'idle',
  error: null,
  requestPlan(req) {
    const key = JSON.stringify(req);
    if (key === lastKey && !pending) return;
    lastKey = key;
    pending = req;
    set({ status: 'pending' });
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void get().flush(), PLAN_DEBOUNCE_MS);
  },
  async flush() {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const req = pending;
    pending = undefined;
    if (req) await run(req, set);
  },
  reset() {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending = undefined;
    lastKey = undefined;
    seq++;
    set({ result: null, resultFor: null, status: 'idle', error: null });
  },
}));
