import type { CoreContext, Handlers } from './context';

type AppHandlers = Pick<Handlers, 'app:info' | 'settings:get' | 'settings:update'>;

export function appHandlers(ctx: CoreContext): AppHandlers {
  return {
    'app:info': () => ({
      name: 'vLLM Panel',
      version: ctx.deps.version,
      shell: ctx.deps.shell,
      platform: ctx.deps.platform,
      nodeVersion: process.versions.node,
      configDir: ctx.deps.paths.configDir,
    }),
    'settings:get': () => ctx.settings.get(),
    'settings:update': async (patch) => {
      const next = await ctx.settings.update(patch ?? {});
      ctx.emit('settings', next);
      return next;
    },
  };
}
