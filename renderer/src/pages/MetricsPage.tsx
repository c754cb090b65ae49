import { EmptyState } from '../components/EmptyState';
import { MetricsIcon } from '../components/icons';
import { Page } from './Page';

export function MetricsPage() {
  return (
    <Page id="metrics" title="Metrics" subtitle="What the server is doing, scraped from its /metrics endpoint.">
      <EmptyState
        icon={<MetricsIcon />}
        title="No metrics yet"
        testId="metrics-empty"
        items={[
          'Prompt and generation tokens/s, requests running and waiting',
          'KV cache usage and prefix-cache hit rate',
          'Time to first token and inter-token latency percentiles',
          'GPU utilization, memory, power and temperature on the same timeline',
        ]}
        hint="Charts fill in once a server is ready, or when you attach to one already running."
      >
        Live serving statistics and GPU telemetry, charted on one time axis.
      </EmptyState>
    </Page>
  );
}
