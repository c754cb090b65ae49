// Contract of the gpu module: commands (request/response) and pushed events, with zod schemas.
// Filled in by the issue that builds app/gpu.
export const gpuCommands = {} as const;
export const gpuEvents = {} as const;
