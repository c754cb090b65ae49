// Contract of the launch module: commands (request/response) and pushed events, with zod schemas.
// Filled in by the issue that builds app/launch.
export const launchCommands = {} as const;
export const launchEvents = {} as const;
