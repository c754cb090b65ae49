import { useEffect, useRef } from 'react';
import { streamingIds, useChatStore } from '../../stores/chat-store';

/**
 * The message box. Enter sends, Shift+Enter is a newline, Escape stops a streaming reply (or
 * leaves edit mode), ArrowUp in an empty box edits the last message.
 */
export function Composer({ disabledReason }: { disabledReason: string | null }) {
  const draft = useChatStore((s) => s.draft);
  const editing = useChatStore((s) => s.editing);
  const sending = useChatStore((s) => s.sending);
  const compare = useChatStore((s) => s.compare);
  const current = useChatStore((s) => s.current);
  const streaming = streamingIds(current).length > 0;
  const ref = useRef<HTMLTextAreaElement>(null);

  // Focus the box when a conversation opens or an edit starts.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the conversation id and edit mode are the triggers
  useEffect(() => {
    ref.current?.focus();
  }, [current?.id, editing]);

  const st = useChatStore.getState;
  const canSend = !sending && !streaming && draft.trim() !== '' && disabledReason === null;
  const send = () => {
    if (canSend) void st().send();
  };

  return (
    <form
      className="chat-composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {editing && (
        <div className="chat-composer__editing">
          Editing your last message: Send replaces it and answers again.
          <button type="button" className="btn btn--ghost btn--xs" onClick={() => st().cancelEdit()}>
            Cancel
          </button>
        </div>
      )}
      <textarea
        ref={ref}
        className="chat-composer__input"
        data-testid="chat-input"
        aria-label="Message"
        placeholder={
          disabledReason ??
          (compare
            ? 'Ask once, get a /think and a /no_think reply side by side…'
            : 'Message the model… (Enter sends, Shift+Enter for a new line)')
        }
        rows={3}
        value={draft}
        maxLength={200_000}
        onChange={(e) => st().setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          } else if (e.key === 'Escape') {
            if (streaming) void st().stop();
            else if (editing) st().cancelEdit();
          } else if (e.key === 'ArrowUp' && draft === '' && !streaming) {
            e.preventDefault();
            st().editLast();
          }
        }}
      />
      <div className="chat-composer__actions">
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          data-testid="chat-copy-curl-draft"
          onClick={() => void st().showCurl({ kind: 'draft' })}
          aria-disabled={disabledReason !== null || undefined}
          title="The request Send would make, as a curl command"
        >
          Copy as curl
        </button>
        {current && !streaming && current.messages.some((m) => m.role === 'user') && !editing && (
          <button
            type="button"
            className="btn btn--ghost btn--sm"
            data-testid="chat-edit-last"
            onClick={() => st().editLast()}
            title="Edit your last message (↑ in an empty box)"
          >
            Edit last
          </button>
        )}
        {streaming ? (
          <button
            type="button"
            className="btn btn--sm chat-stop"
            data-testid="chat-stop"
            onClick={() => void st().stop()}
            title="Stop the reply (Esc)"
          >
            Stop
          </button>
        ) : (
          <button type="submit" className="btn btn--primary btn--sm" data-testid="chat-send" aria-disabled={!canSend || undefined}>
            {editing ? 'Send edit' : compare ? 'Compare' : 'Send'}
          </button>
        )}
      </div>
    </form>
  );
}
