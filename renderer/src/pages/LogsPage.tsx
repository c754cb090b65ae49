import { EmptyState } from '../components/EmptyState';
import { LogsIcon } from '../components/icons';
import { Page } from './Page';

export function LogsPage() {
  return (
    <Page id="logs" title="Logs" subtitle="vLLM’s output, live, from every process it starts.">
      <EmptyState
        icon={<LogsIcon />}
        title="No logs yet"
        testId="logs-empty"
        items={[
          'stdout and stderr of the API server, EngineCore and workers as they are written',
          'Filters by level and by process; text and regex search with a match count',
          'Progress bars updated in place; errors and warnings highlighted',
          'Follow tail, copy, save to file, clear',
        ]}
        hint="Logs appear here once a server is started."
      >
        Everything vLLM prints while it starts, serves and stops.
      </EmptyState>
    </Page>
  );
}
