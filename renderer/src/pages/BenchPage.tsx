import { EmptyState } from '../components/EmptyState';
import { BenchIcon } from '../components/icons';
import { Page } from './Page';

export function BenchPage() {
  return (
    <Page id="bench" title="Benchmark" subtitle="Measure which profile serves your workload best on your GPUs.">
      <EmptyState
        icon={<BenchIcon />}
        title="No benchmark runs yet"
        testId="bench-empty"
        items={[
          'Load at a fixed concurrency or request rate, with prompt and output lengths you choose',
          'Sweeps that restart the server with each profile and run the same workload',
          'Throughput against latency per profile, with the winner per objective',
          'Saved runs to compare, exported as JSON, CSV or a Markdown report',
        ]}
        hint="Runs and their comparisons will be listed here."
      >
        Tokens/s, time to first token and inter-token latency, profile against profile.
      </EmptyState>
    </Page>
  );
}
