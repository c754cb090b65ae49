import type { Remedy } from '../contract/common';
import type { CommandArg, CommandChannel, CommandParsedArg, CommandResult, EventChannel, EventPayload } from '../contract/index';
import type { SettingsStore } from '../store/settings-store';
import type { CoreDeps } from './deps';

/** What every module's handlers get: the injected deps, settings, and a way to push events. */
export interface CoreContext {
  deps: CoreDeps;
  settings: SettingsStore;
  emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void;
  /** Registers cleanup to run when the core is disposed (app quit, test teardown). */
  onDispose(fn: () => Promise<void> | void): void;
  /**
   * Calls another module's command (validated like any other call); throws PanelError on an
   * error result. Lets composite commands (server:start → command:build, plan:compute) reuse
   * the modules instead of reaching into them.
   */
  call<C extends CommandChannel>(channel: C, arg: CommandArg<C>): Promise<CommandResult<C>>;
}

export type Handler<C extends CommandChannel> = (arg: CommandParsedArg<C>) => Promise<CommandResult<C>> | CommandResult<C>;
export type Handlers = { [C in CommandChannel]: Handler<C> };

/** Thrown inside handlers for errors the user can act on; the core turns it into a Result. */
export class PanelError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly remedies: Remedy[] = [],
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PanelError';
  }
}
