// Contract of the metrics module: commands (request/response) and pushed events, with zod schemas.
// Filled in by the issue that builds app/metrics.
export const metricsCommands = {} as const;
export const metricsEvents = {} as const;
