import { benchHandlers } from '../bench/handlers';
import { chatHandlers } from '../chat/handlers';
import { isCommandChannel } from '../contract/channels';
import {
  type CommandArg,
  type CommandChannel,
  type CommandResult,
  commands,
  type EventMessage,
  type Result,
  type UserError,
} from '../contract/index';
import { gpuHandlers } from '../gpu/handlers';
import { launchHandlers } from '../launch/catalog-handlers';
import { plannerHandlers } from '../launch/planner-handlers';
import { profileHandlers } from '../launch/profile-handlers';
import { metricsHandlers } from '../metrics/handlers';
import { serverHandlers } from '../server/handlers';
import { SettingsStore } from '../store/settings-store';
import { appHandlers } from './app-handlers';
import { type CoreContext, type Handlers, PanelError } from './context';
import type { CoreDeps } from './deps';

export type EventListener = (event: EventMessage) => void;

export interface Core {
  /** Validates `arg` against the contract, runs the handler, and returns a Result (never throws). */
  invoke<C extends CommandChannel>(channel: C, arg: CommandArg<C>): Promise<Result<CommandResult<C>>>;
  /** Same, for untrusted input from a transport: the channel itself is checked too. */
  invokeUntrusted(channel: unknown, arg: unknown): Promise<Result<unknown>>;
  subscribe(listener: EventListener): () => void;
  /** Stops everything the core runs (servers, pollers). Safe to call twice. */
  dispose(): Promise<void>;
  readonly context: CoreContext;
}

function formatZodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): { message: string; field?: string } {
  const first = issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined;
  return {
    message: issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; '),
    ...(field ? { field } : {}),
  };
}

/** Composition root: builds every module from injected deps. Used by all three shells and by tests. */
export async function createCore(deps: CoreDeps): Promise<Core> {
  const listeners = new Set<EventListener>();
  const disposers: (() => Promise<void> | void)[] = [];
  const settings = new SettingsStore(deps.paths.configDir);
  const settingsProblem = await settings.load();

  const context: CoreContext = {
    deps,
    settings,
    emit(channel, payload) {
      const msg = { channel, payload } as EventMessage;
      for (const l of listeners) {
        try {
          l(msg);
        } catch {
          // A broken listener (closed socket, destroyed window) must not break the others.
        }
      }
    },
    onDispose(fn) {
      disposers.push(fn);
    },
    async call(channel, arg) {
      const r = await run(channel, arg);
      if (!r.ok) throw new PanelError(r.error.kind, r.error.message, r.error.remedies, r.error.field);
      return r.value as never;
    },
  };

  const handlers: Handlers = {
    ...appHandlers(context),
    ...serverHandlers(context),
    ...gpuHandlers(context),
    ...launchHandlers(context),
    ...profileHandlers(context),
    ...plannerHandlers(context),
    ...metricsHandlers(context),
    ...chatHandlers(context),
    ...benchHandlers(context),
  };

  if (settingsProblem) {
    // Deferred so the first subscriber (the UI) sees it.
    setTimeout(() => context.emit('notice', { level: 'warning', message: settingsProblem, at: deps.clock.now() }), 0);
  }

  async function run(channel: CommandChannel, arg: unknown): Promise<Result<unknown>> {
    const def = commands[channel];
    const parsed = def.req.safeParse(arg);
    if (!parsed.success) {
      return { ok: false, error: { kind: 'invalid_argument', remedies: [], ...formatZodIssues(parsed.error.issues) } };
    }
    try {
      const handler = handlers[channel] as (a: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof PanelError) {
        const error: UserError = {
          kind: err.kind,
          message: err.message,
          remedies: err.remedies,
          ...(err.field ? { field: err.field } : {}),
        };
        return { ok: false, error };
      }
      return { ok: false, error: { kind: 'internal', message: (err as Error)?.message ?? String(err), remedies: [] } };
    }
  }

  let disposed: Promise<void> | undefined;
  return {
    context,
    invoke: (channel, arg) => run(channel, arg) as never,
    invokeUntrusted(channel, arg) {
      if (!isCommandChannel(channel)) {
        return Promise.resolve({
          ok: false,
          error: { kind: 'unknown_channel', message: `Unknown command channel: ${String(channel).slice(0, 80)}`, remedies: [] },
        });
      }
      return run(channel, arg);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      disposed ??= (async () => {
        for (const fn of disposers.reverse()) {
          try {
            await fn();
          } catch {
            // Keep disposing the rest: leaving a vLLM process behind is worse than a noisy exit.
          }
        }
        listeners.clear();
      })();
      return disposed;
    },
  };
}
