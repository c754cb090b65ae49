import type { CoreContext, Handlers } from '../host/context';
import { type GpuServiceOptions, gpuService } from './service';

type GpuHandlers = Pick<Handlers, 'gpu:list' | 'gpu:watch' | 'gpu:selection' | 'gpu:select' | 'system:info'>;

export function gpuHandlers(ctx: CoreContext, opts?: GpuServiceOptions): GpuHandlers {
  const gpu = gpuService(ctx, opts);
  return {
    'gpu:list': (arg) => gpu.snapshot(arg?.maxAgeMs ?? 0),
    'gpu:watch': ({ on }) => ({ watching: gpu.poller.watch(on), intervalMs: ctx.settings.get().gpuPollMs }),
    'gpu:selection': () => gpu.selection(),
    'gpu:select': ({ indices }) => gpu.select(indices),
    'system:info': () => gpu.systemInfo(),
  };
}
