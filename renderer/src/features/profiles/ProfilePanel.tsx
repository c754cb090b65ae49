import { EmptyState } from '../../components/EmptyState';
import { ProfileIcon } from '../../components/icons';
import { Panel } from '../../components/Panel';

// Placeholder: the launch-planning issue replaces this with the profile picker, flag editor and
// command preview (app/launch over profiles:* / launch:* channels).
export function ProfilePanel() {
  return (
    <Panel title="Profile and flags" icon={<ProfileIcon />} testId="profile-panel" className="launch__profile">
      <EmptyState
        title="No profile selected yet"
        testId="profile-panel-empty"
        items={[
          'Built-in profiles THROUGHPUT, LOW_LATENCY and LONG_CONTEXT, plus your own',
          'Every vllm serve flag, grouped like vLLM’s help, checked against the installed vLLM version',
          'A preview of the exact command and environment that will run, with copy and script export',
        ]}
      >
        How vLLM will be launched: the model, the profile and its flags.
      </EmptyState>
    </Panel>
  );
}
