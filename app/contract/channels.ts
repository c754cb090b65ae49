// The channel allow-list, as plain strings (the Electron preload imports this file and must not
// pull in zod). It is checked against the contract at compile time: a channel missing here or
// one that the contract does not define fails `npm run typecheck`.
import type { CommandChannel, EventChannel } from './index';

export const COMMAND_CHANNELS = ['app:info', 'settings:get', 'settings:update'] as const;

export const EVENT_CHANNELS = ['settings', 'notice'] as const;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const commandsMatch: Same<(typeof COMMAND_CHANNELS)[number], CommandChannel> = true;
const eventsMatch: Same<(typeof EVENT_CHANNELS)[number], EventChannel> = true;
void commandsMatch;
void eventsMatch;

const commandSet: ReadonlySet<string> = new Set(COMMAND_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);
export const isCommandChannel = (c: unknown): c is CommandChannel => typeof c === 'string' && commandSet.has(c);
export const isEventChannel = (c: unknown): c is EventChannel => typeof c === 'string' && eventSet.has(c);
