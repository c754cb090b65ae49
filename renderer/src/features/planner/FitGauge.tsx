import { EmptyState } from '../../components/EmptyState';
import { GaugeIcon } from '../../components/icons';
import { Panel } from '../../components/Panel';

// Placeholder: the launch-planning issue replaces this with the live memory-planner gauge.
export function FitGauge() {
  return (
    <Panel title="Memory fit" icon={<GaugeIcon />} testId="fit-gauge" className="launch__fit">
      <EmptyState
        title="No plan yet"
        testId="fit-gauge-empty"
        items={[
          'Weights, KV cache and Mamba state against the selected GPUs’ memory',
          'KV cache capacity in tokens and maximum concurrency at max-model-len',
          'A verdict before you start, with concrete fixes when it will not fit',
        ]}
      >
        Whether the chosen profile fits on the chosen GPUs, updated as you edit.
      </EmptyState>
    </Panel>
  );
}
