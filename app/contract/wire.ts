import { z } from 'zod';
import { UserError } from './common';

/**
 * The web shell's WebSocket protocol (one socket per browser tab). Electron IPC carries the same
 * commands and events through ipcRenderer.invoke / webContents.send instead.
 *
 * client → server: { t: 'invoke', id, channel, arg }
 * server → client: { t: 'result', id, ok: true, value } | { t: 'result', id, ok: false, error }
 *                  { t: 'event', channel, payload }
 *                  { t: 'hello', version }   (first message after the socket opens)
 */
export const ClientMessage = z.object({
  t: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  arg: z.unknown().optional(),
});
export type ClientMessage = z.infer<typeof ClientMessage>;

// A plain union: zod 4's discriminatedUnion refuses the two `result` variants (same `t`).
export const ServerMessage = z.union([
  z.object({ t: z.literal('hello'), version: z.string() }),
  z.object({ t: z.literal('result'), id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({ t: z.literal('result'), id: z.number(), ok: z.literal(false), error: UserError }),
  z.object({ t: z.literal('event'), channel: z.string(), payload: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** WebSocket path and the cookie/query names the web shell uses for its token. */
export const WS_PATH = '/api/ws';
export const TOKEN_QUERY = 'token';
export const TOKEN_COOKIE = 'vllm_panel_token';
