import { MetricsDashboard } from '../features/metrics/MetricsDashboard';
import { Page } from './Page';

export function MetricsPage() {
  return (
    <Page id="metrics" title="Metrics" subtitle="What the server is doing, scraped from its /metrics endpoint.">
      <MetricsDashboard />
    </Page>
  );
}
