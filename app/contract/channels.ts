// The channel allow-list, as plain strings (the Electron preload imports this file and must not
// pull in zod). It is checked against the contract at compile time: a channel missing here or
// one that the contract does not define fails `npm run typecheck`.
import type { CommandChannel, EventChannel } from './index';

export const COMMAND_CHANNELS = [
  'app:info',
  'settings:get',
  'settings:update',
  'gpu:list',
  'gpu:watch',
  'gpu:selection',
  'gpu:select',
  'system:info',
  'profile:list',
  'profile:save',
  'profile:create',
  'profile:duplicate',
  'profile:rename',
  'profile:delete',
  'profile:diff',
  'command:build',
  'script:export',
  'script:import',
  'runtime:detect',
  'catalog:get',
  'flags:validate',
  'plan:compute',
  'server:state',
  'server:start',
  'server:stop',
  'server:restart',
  'server:leftovers',
  'server:reap',
  'server:bundle',
  'logs:get',
  'logs:clear',
  'logs:save',
  'diagnose:log',
  'metrics:state',
  'metrics:attach',
  'metrics:detach',
  'metrics:series',
  'metrics:raw',
  'chat:settings',
  'chat:configure',
  'chat:models',
  'chat:send',
  'chat:compare',
  'chat:abort',
  'chat:curl',
  'chat:list',
  'chat:get',
  'chat:save',
  'chat:delete',
  'chat:export',
  'bench:run',
  'bench:sweep',
  'bench:stop',
  'bench:list',
  'bench:get',
  'bench:delete',
  'bench:export',
] as const;

export const EVENT_CHANNELS = [
  'settings',
  'notice',
  'gpus',
  'gpu-selection',
  'profiles',
  'server',
  'logs',
  'metrics',
  'chat',
  'bench',
] as const;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const commandsMatch: Same<(typeof COMMAND_CHANNELS)[number], CommandChannel> = true;
const eventsMatch: Same<(typeof EVENT_CHANNELS)[number], EventChannel> = true;
void commandsMatch;
void eventsMatch;

const commandSet: ReadonlySet<string> = new Set(COMMAND_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);
export const isCommandChannel = (c: unknown): c is CommandChannel => typeof c === 'string' && commandSet.has(c);
export const isEventChannel = (c: unknown): c is EventChannel => typeof c === 'string' && eventSet.has(c);
