// The renderer's one door into the core's contract (types + zod schemas only). Everything in
// renderer/ imports the contract from here, so the dependency rule stays visible in one place.

export { COMMAND_CHANNELS, EVENT_CHANNELS, isCommandChannel, isEventChannel } from '../../app/contract/channels';
export * from '../../app/contract/index';
export { commands, events } from '../../app/contract/index';
export { METRICS_WINDOWS_S, POINT_SERIES } from '../../app/contract/metrics';
