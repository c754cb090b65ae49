// Contract of the bench module: commands (request/response) and pushed events, with zod schemas.
// Filled in by the issue that builds app/bench.
export const benchCommands = {} as const;
export const benchEvents = {} as const;
