// Contract of the chat module: commands (request/response) and pushed events, with zod schemas.
// Filled in by the issue that builds app/chat.
export const chatCommands = {} as const;
export const chatEvents = {} as const;
