// Handlers of the chat contract (app/contract/chat.ts): thin adapters onto the ChatService.
import type { CoreContext, Handlers } from '../host/context';
import { chatService } from './service';

type ChatHandlers = Pick<
  Handlers,
  | 'chat:settings'
  | 'chat:configure'
  | 'chat:models'
  | 'chat:send'
  | 'chat:compare'
  | 'chat:abort'
  | 'chat:curl'
  | 'chat:list'
  | 'chat:get'
  | 'chat:save'
  | 'chat:delete'
  | 'chat:export'
>;

export function chatHandlers(ctx: CoreContext): ChatHandlers {
  const svc = chatService(ctx);
  return {
    'chat:settings': () => svc.info(),
    'chat:configure': (patch) => svc.configure(patch),
    'chat:models': () => svc.listModels(),
    'chat:send': (req) => svc.send(req),
    'chat:compare': (req) => svc.compare(req),
    'chat:abort': async ({ conversationId, messageId }) => ({ aborted: await svc.abort(conversationId, messageId) }),
    'chat:curl': ({ source, revealKey }) => svc.curl(source, revealKey),
    'chat:list': (arg) => svc.list(arg?.query),
    'chat:get': ({ id }) => svc.get(id),
    'chat:save': ({ id, ...patch }) => svc.save(id, patch),
    'chat:delete': async ({ id }) => {
      await svc.delete(id);
      return { ok: true as const };
    },
    'chat:export': ({ id, format }) => svc.export(id, format),
  };
}
