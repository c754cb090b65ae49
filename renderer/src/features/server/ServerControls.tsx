import type { ReactNode } from 'react';
import { PlayIcon, StopIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { useAppStore } from '../../stores/app-store';
import { useProfileStore } from '../../stores/profile-store';
import { isRunning, useServerStore } from '../../stores/server-store';
import { StartConfirmDialog } from './StartConfirmDialog';
import { elapsedFor, formatElapsed, PERCENT_PHASES, PHASE_LABELS, STATUS_LABELS, statusTone } from './server-format';
import { RestartIcon } from './server-icons';
import './server.css';

/**
 * The header's server controls on every page: state pill with a ticking clock, the current
 * phase while starting, Start / Stop / Restart. Disabled buttons use aria-disabled so they stay
 * focusable and their title says why.
 */
export function ServerControls() {
  const state = useServerStore((s) => s.state);
  const pending = useServerStore((s) => s.pending);
  const confirm = useServerStore((s) => s.confirm);
  const connected = useAppStore((s) => s.connection.status === 'open');
  const profileName = useProfileStore((s) => (s.base === null ? null : s.current.name));
  const status = state?.status ?? 'idle';
  const running = isRunning(status);
  const ticking = status === 'preflight' || status === 'starting' || status === 'ready' || status === 'stopping';
  const now = useNow(ticking);
  const elapsed = elapsedFor(state, now);
  const tone = statusTone(state ? status : null);

  const startBlocked = !connected
    ? 'Not connected to the panel.'
    : running
      ? 'A server is already running: stop it first.'
      : pending
        ? 'Working…'
        : profileName === null
          ? 'Pick a profile on the Launch page first.'
          : null;
  const stopBlocked = !connected
    ? 'Not connected to the panel.'
    : !running
      ? 'No server is running.'
      : status === 'stopping'
        ? 'Stopping…'
        : null;
  const restartBlocked = !connected
    ? 'Not connected to the panel.'
    : pending
      ? 'Working…'
      : state === null || state.runId === 0 || status === 'stopping' || status === 'preflight'
        ? 'Nothing to restart yet: start a server first.'
        : null;

  const phase = status === 'starting' && state?.phase ? state.phase : null;
  const percent = phase && PERCENT_PHASES.has(phase) && state?.percent !== null ? state?.percent : null;

  return (
    <div className="server-controls" data-testid="server-controls">
      <span className={`pill pill--${tone}`} title={state?.message ?? STATUS_LABELS[status]}>
        <span className="pill__dot" aria-hidden="true" />
        <span className="pill__status" role="status" data-testid="server-status" data-state={status}>
          {status}
        </span>
        {elapsed && (
          <span className="pill__time" data-testid="server-elapsed" title={`${elapsed.label} ${formatElapsed(elapsed.ms)}`}>
            {formatElapsed(elapsed.ms)}
          </span>
        )}
      </span>
      {phase && (
        <span className="server-controls__phase" data-testid="server-phase">
          {PHASE_LABELS[phase]}
          {percent != null && ` ${percent}%`}
        </span>
      )}
      {state?.stall && status === 'starting' && (
        <span className="server-controls__stall" data-testid="server-stall" title="This phase is taking far longer than usual">
          stalled?
        </span>
      )}
      <span className="btn-group">
        <ActionButton
          testId="server-start"
          primary
          blocked={startBlocked}
          busy={pending === 'start'}
          title={profileName ? `Start vLLM with ${profileName}` : 'Start vLLM'}
          onClick={() => void useServerStore.getState().start()}
        >
          <PlayIcon />
          {pending === 'start' ? 'Starting…' : 'Start'}
        </ActionButton>
        <ActionButton
          testId="server-stop"
          blocked={stopBlocked}
          busy={pending === 'stop'}
          title="Stop vLLM and every process it started"
          onClick={() => void useServerStore.getState().stop()}
        >
          <StopIcon />
          {pending === 'stop' || status === 'stopping' ? 'Stopping…' : 'Stop'}
        </ActionButton>
        <ActionButton
          testId="server-restart"
          blocked={restartBlocked}
          busy={pending === 'restart'}
          title="Stop, then start the same launch again"
          onClick={() => void useServerStore.getState().restart()}
        >
          <RestartIcon />
          Restart
        </ActionButton>
      </span>
      {confirm && <StartConfirmDialog />}
    </div>
  );
}

function ActionButton({
  testId,
  primary,
  blocked,
  busy,
  title,
  onClick,
  children,
}: {
  testId: string;
  primary?: boolean;
  blocked: string | null;
  busy: boolean;
  title: string;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`btn btn--sm${primary ? ' btn--primary' : ''}`}
      aria-disabled={blocked !== null || busy ? 'true' : undefined}
      aria-busy={busy || undefined}
      title={blocked ?? title}
      data-testid={testId}
      onClick={() => {
        if (blocked === null && !busy) onClick();
      }}
    >
      {children}
    </button>
  );
}
