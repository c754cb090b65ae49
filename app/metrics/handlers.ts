import type { CoreContext, Handlers } from '../host/context';
import { type MetricsServiceOptions, metricsService } from './service';

type MetricsHandlers = Pick<Handlers, 'metrics:state' | 'metrics:attach' | 'metrics:detach' | 'metrics:series' | 'metrics:raw'>;

export function metricsHandlers(ctx: CoreContext, opts?: MetricsServiceOptions): MetricsHandlers {
  // One-shot CLI commands (gpus, plan, status…) must not start scraping a server in the background.
  const svc = metricsService(ctx, { follow: ctx.deps.shell !== 'cli', ...opts });
  return {
    'metrics:state': () => svc.state(),
    'metrics:attach': ({ url, apiKey }) => svc.attach(url, apiKey),
    'metrics:detach': () => svc.detach(),
    'metrics:series': ({ windowS, maxPoints }) => svc.series(windowS, maxPoints),
    'metrics:raw': (arg) => svc.raw(arg?.filter, arg?.maxSamples),
  };
}
