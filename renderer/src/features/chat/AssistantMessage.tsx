import { useState } from 'react';
import type { ChatMessage } from '../../contract';
import { statItems } from './chat-format';
import { Markdown } from './Markdown';

export interface AssistantMessageProps {
  message: ChatMessage & { notes: string[] };
  /** Last reply of the conversation (retry is offered there). */
  last: boolean;
  onCopy(text: string): void;
  onCurl(): void;
  onRetry?(): void;
}

/** One reply: the collapsible Thinking block (streamed live), the answer, its stats and actions. */
export function AssistantMessage({ message: m, last, onCopy, onCurl, onRetry }: AssistantMessageProps) {
  const streaming = m.status === 'streaming';
  // Open while the reasoning streams; stored replies start folded (the answer is what matters).
  const [open, setOpen] = useState(streaming);
  const thinking = streaming && m.content === '' && m.reasoning !== '';
  const label = m.lane ? (m.lane === 'think' ? '/think' : '/no_think') : m.mode === 'no_think' ? '/no_think' : '/think';
  return (
    <article
      className={`chat-msg chat-msg--assistant${m.status === 'error' ? ' chat-msg--error' : ''}`}
      data-testid="chat-message-assistant"
      data-status={m.status}
      data-lane={m.lane}
      aria-busy={streaming || undefined}
    >
      <header className="chat-msg__head">
        <span className="chat-msg__who">Assistant</span>
        <span className="chat-badge">{label}</span>
        {m.stats?.split === 'client' && (
          <span className="chat-badge chat-badge--muted" title="The server sent no reasoning field; the panel split the reply at </think>">
            split here
          </span>
        )}
        {streaming && <span className="chat-msg__live">{thinking ? 'thinking…' : 'streaming…'}</span>}
        {m.status === 'aborted' && <span className="chat-badge chat-badge--warn">stopped</span>}
      </header>
      {m.reasoning !== '' && (
        <details
          className="chat-thinking"
          data-testid="chat-thinking"
          open={open}
          onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
        >
          <summary>
            Thinking
            {m.stats?.reasoningTokens != null && <span className="chat-thinking__count"> · {m.stats.reasoningTokens} tokens</span>}
            {m.stats?.budget?.hit && <span className="chat-thinking__count"> · budget reached</span>}
          </summary>
          <div className="chat-thinking__text">{m.reasoning}</div>
        </details>
      )}
      {m.notes.map((n) => (
        <p key={n} className="chat-note" role="status">
          {n}
        </p>
      ))}
      <Markdown text={m.content} className="chat-answer" testId="chat-answer" />
      {m.status === 'error' && m.error && (
        <div className="chat-error" role="alert">
          <strong>{m.error.message}</strong>
          {m.error.remedies.length > 0 && (
            <ul>
              {m.error.remedies.map((r) => (
                <li key={r.label}>{r.label}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {m.stats && (
        <ul className="chat-stats" data-testid="chat-stats" aria-label="Reply statistics">
          {statItems(m.stats).map((i) => (
            <li key={i.label} title={i.title} data-stat={i.label}>
              <span className="chat-stats__label">{i.label}</span> <span className="chat-stats__value">{i.value}</span>
            </li>
          ))}
        </ul>
      )}
      {!streaming && (
        <div className="chat-msg__actions">
          <button type="button" className="btn btn--ghost btn--xs" onClick={() => onCopy(m.content)} data-testid="chat-copy">
            Copy
          </button>
          {m.request && (
            <button type="button" className="btn btn--ghost btn--xs" onClick={onCurl} data-testid="chat-copy-curl">
              Copy as curl
            </button>
          )}
          {last && onRetry && (
            <button type="button" className="btn btn--ghost btn--xs" onClick={onRetry} data-testid="chat-retry">
              Retry
            </button>
          )}
        </div>
      )}
    </article>
  );
}
