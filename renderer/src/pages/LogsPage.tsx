import { LogViewer } from '../features/logs/LogViewer';
import { Page } from './Page';

export function LogsPage() {
  return (
    <Page id="logs" title="Logs" subtitle="vLLM’s output, live, from every process it starts.">
      <LogViewer />
    </Page>
  );
}
