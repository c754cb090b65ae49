import { GpuPanel } from '../features/gpus/GpuPanel';
import { FitGauge } from '../features/planner/FitGauge';
import { ProfilePanel } from '../features/profiles/ProfilePanel';
import { ServerPanel } from '../features/server/ServerPanel';
import { Page } from './Page';

export function LaunchPage() {
  return (
    <Page id="launch" title="Launch" subtitle="Pick the GPUs and a profile, check that it fits, then start vLLM from the header.">
      <ServerPanel />
      <div className="launch-grid">
        <GpuPanel />
        <ProfilePanel />
        <FitGauge />
      </div>
    </Page>
  );
}
