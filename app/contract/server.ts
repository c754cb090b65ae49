// Contract of the server module: commands (request/response) and pushed events, with zod schemas.
// Filled in by the issue that builds app/server.
export const serverCommands = {} as const;
export const serverEvents = {} as const;
