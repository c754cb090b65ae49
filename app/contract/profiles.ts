// Contract of the profiles part of app/launch: commands (request/response) and pushed events, zod schemas.
export const profilesCommands = {} as const;
export const profilesEvents = {} as const;
