import type { z } from 'zod';
import { appCommands, appEvents } from './app';
import { benchCommands, benchEvents } from './bench';
import { chatCommands, chatEvents } from './chat';
import { gpuCommands, gpuEvents } from './gpu';
import { launchCommands, launchEvents } from './launch';
import { metricsCommands, metricsEvents } from './metrics';
import { plannerCommands, plannerEvents } from './planner';
import { profilesCommands, profilesEvents } from './profiles';
import { serverCommands, serverEvents } from './server';

export * from './app';
export * from './bench';
export * from './chat';
export * from './common';
export * from './gpu';
export * from './launch';
export * from './metrics';
export * from './planner';
export * from './profiles';
export * from './server';
export * from './settings';
export * from './wire';

/**
 * The one typed API of the core. Commands are request/response (`noun:verb`); events are
 * pushed (nouns). Every shell (Electron IPC, WebSocket, CLI) carries exactly these.
 */
export const commands = {
  ...appCommands,
  ...gpuCommands,
  ...launchCommands,
  ...plannerCommands,
  ...profilesCommands,
  ...serverCommands,
  ...metricsCommands,
  ...chatCommands,
  ...benchCommands,
} as const;

export const events = {
  ...appEvents,
  ...gpuEvents,
  ...launchEvents,
  ...plannerEvents,
  ...profilesEvents,
  ...serverEvents,
  ...metricsEvents,
  ...chatEvents,
  ...benchEvents,
} as const;

type Commands = typeof commands;
type Events = typeof events;
export type CommandChannel = keyof Commands & string;
export type EventChannel = keyof Events & string;
/** What a caller passes (before defaults are applied). */
export type CommandArg<C extends CommandChannel> = z.input<Commands[C]['req']>;
/** What a handler receives (after parsing). */
export type CommandParsedArg<C extends CommandChannel> = z.output<Commands[C]['req']>;
export type CommandResult<C extends CommandChannel> = z.output<Commands[C]['res']>;
export type EventPayload<E extends EventChannel> = z.output<Events[E]>;

/** A pushed event as it travels on any transport. */
export type EventMessage = { [E in EventChannel]: { channel: E; payload: EventPayload<E> } }[EventChannel];
