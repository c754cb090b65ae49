// Contract of the planner part of app/launch: commands (request/response) and pushed events, zod schemas.
export const plannerCommands = {} as const;
export const plannerEvents = {} as const;
