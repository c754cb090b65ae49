import { useEffect } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ChatIcon } from '../../components/icons';
import type { ChatTargetInfo } from '../../contract';
import { useChatStore } from '../../stores/chat-store';
import { useServerStore } from '../../stores/server-store';
import { ChatSettingsPanel } from './ChatSettingsPanel';
import { Composer } from './Composer';
import { ConversationList } from './ConversationList';
import { CurlDialog } from './CurlDialog';
import { MessageList } from './MessageList';
import { TargetBar } from './TargetBar';
import './chat.css';

/** Why the composer cannot send yet (no server, no URL), or null. */
export function disabledReason(target: ChatTargetInfo | null): string | null {
  if (!target) return 'Connecting…';
  if (target.kind === 'custom') return target.customUrl ? null : 'Enter the server’s URL above first.';
  if (target.launched.ready) return null;
  return target.launched.status === 'starting' || target.launched.status === 'preflight'
    ? 'The server is starting: chat opens when it is ready.'
    : 'No server is running: start one on the Launch page, or pick “Custom URL”.';
}

export function ChatView() {
  const current = useChatStore((s) => s.current);
  const target = useChatStore((s) => s.target);
  const warning = useChatStore((s) => s.warning);
  const error = useChatStore((s) => s.error);
  const serverStatus = useServerStore((s) => s.state?.status);
  const st = useChatStore.getState;

  // "Launched server" follows the server's state: reload the target whenever the status changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: serverStatus is the trigger, not an input
  useEffect(() => {
    void useChatStore.getState().loadTarget();
  }, [serverStatus]);

  const reason = disabledReason(target);
  return (
    <div className="chat-layout" data-testid="chat-view">
      <ConversationList />
      <div className="chat-main">
        <TargetBar />
        {warning && (
          <div className="chat-banner chat-banner--warn" role="status" data-testid="chat-warning">
            <span>{warning}</span>
            <button type="button" className="btn btn--ghost btn--xs" onClick={() => st().dismissWarning()} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {error && (
          <div className="chat-banner chat-banner--err" role="alert" data-testid="chat-error">
            <span>{error.message}</span>
            {error.remedies.length > 0 && <span className="chat-banner__remedy">{error.remedies.map((r) => r.label).join(' · ')}</span>}
            <button type="button" className="btn btn--ghost btn--xs" onClick={() => st().clearError()} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {current ? (
          <MessageList />
        ) : (
          <div className="chat-empty">
            <EmptyState
              icon={<ChatIcon />}
              title="No conversation yet"
              testId="chat-empty"
              items={[
                'Streaming replies with Markdown and code blocks; stop, retry, edit and copy',
                'A Think / No-think switch, with the model’s reasoning shown apart from its answer',
                'A thinking budget, and side-by-side replies with and without thinking',
                'Per reply: time to first token, tokens/s and token counts',
              ]}
              hint={reason ?? 'Type a message below to start.'}
            >
              Check that the server answers, and see how fast.
            </EmptyState>
          </div>
        )}
        <Composer disabledReason={reason} />
      </div>
      <ChatSettingsPanel />
      <CurlDialog />
    </div>
  );
}
