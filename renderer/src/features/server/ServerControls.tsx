import { PlayIcon, StopIcon } from '../../components/icons';
import { Tooltip } from '../../components/Tooltip';

// Placeholder until the server-lifecycle issue wires this to the supervisor (state pill with
// elapsed time, Start/Stop/Restart). The buttons use aria-disabled rather than `disabled` so
// they stay focusable and keyboard users can read why they do nothing yet.
const NOT_YET = 'Starting and stopping vLLM arrives with the server issue.';

export function ServerControls() {
  return (
    <div className="server-controls" data-testid="server-controls">
      <span className="pill pill--idle" data-testid="server-status" data-state="none">
        <span className="pill__dot" aria-hidden="true" />
        No server
      </span>
      <Tooltip text={NOT_YET} testId="server-controls-tooltip">
        {(describedBy) => (
          <span className="btn-group">
            <button
              type="button"
              className="btn btn--primary btn--sm"
              aria-disabled="true"
              aria-describedby={describedBy}
              data-testid="server-start"
            >
              <PlayIcon />
              Start
            </button>
            <button type="button" className="btn btn--sm" aria-disabled="true" aria-describedby={describedBy} data-testid="server-stop">
              <StopIcon />
              Stop
            </button>
          </span>
        )}
      </Tooltip>
    </div>
  );
}
