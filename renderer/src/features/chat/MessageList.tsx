import { useEffect, useRef } from 'react';
import type { ChatMessage } from '../../contract';
import { shownMessage, useChatStore } from '../../stores/chat-store';
import { AssistantMessage } from './AssistantMessage';
import { compareRows } from './chat-format';
import { Markdown } from './Markdown';

type Shown = ChatMessage & { notes: string[] };

/** Groups the conversation into turns: a user message and the reply (or the two side-by-side replies). */
export function turns(messages: Shown[]): { user: Shown | null; replies: Shown[] }[] {
  const out: { user: Shown | null; replies: Shown[] }[] = [];
  for (const m of messages) {
    if (m.role === 'user') out.push({ user: m, replies: [] });
    else if (out.length === 0) out.push({ user: null, replies: [m] });
    else out[out.length - 1]!.replies.push(m);
  }
  return out;
}

function copy(text: string): void {
  void navigator.clipboard?.writeText(text).catch(() => {});
}

export function MessageList() {
  const current = useChatStore((s) => s.current);
  const live = useChatStore((s) => s.live);
  const endRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  const messages = (current?.messages ?? []).map((m) => shownMessage(m, live[m.id]));
  const total = messages.reduce((n, m) => n + m.content.length + m.reasoning.length, 0);

  // Follow the stream while the user is at the bottom; leave them alone when they scrolled up.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the text length and message count are the triggers
  useEffect(() => {
    if (stick.current) endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [total, messages.length]);

  if (!current) return null;
  const groups = turns(messages);
  const lastReplyId = messages.filter((m) => m.role === 'assistant').at(-1)?.id;
  const curlOf = (m: Shown) => () =>
    void useChatStore.getState().showCurl({ kind: 'message', conversationId: current.id, messageId: m.id });
  const retry = () => void useChatStore.getState().retry();

  return (
    <div
      className="chat-thread"
      ref={listRef}
      role="log"
      aria-live="polite"
      aria-label="Conversation"
      data-testid="chat-thread"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {groups.map((g, i) => {
        const compare = g.replies.length === 2 && g.replies.every((r) => r.lane);
        const key = g.user?.id ?? g.replies[0]?.id ?? String(i);
        return (
          <div key={key} className="chat-turn">
            {g.user && (
              <article className="chat-msg chat-msg--user" data-testid="chat-message-user">
                <header className="chat-msg__head">
                  <span className="chat-msg__who">You</span>
                  {g.user.compare && <span className="chat-badge">side by side</span>}
                </header>
                <Markdown text={g.user.content} />
              </article>
            )}
            {compare ? (
              <div className="chat-compare" data-testid="chat-compare-result">
                <div className="chat-compare__lanes">
                  {g.replies.map((r, k) => (
                    // Retrying a side-by-side turn compares again: one Retry for the pair.
                    <AssistantMessage
                      key={r.id}
                      message={r}
                      last={k === 0 && g.replies.some((x) => x.id === lastReplyId)}
                      onCopy={copy}
                      onCurl={curlOf(r)}
                      onRetry={retry}
                    />
                  ))}
                </div>
                <table className="chat-compare__table" data-testid="chat-compare-table">
                  <thead>
                    <tr>
                      <th scope="col" />
                      <th scope="col">/think</th>
                      <th scope="col">/no_think</th>
                    </tr>
                  </thead>
                  <tbody>
                    {compareRows(g.replies[0]!, g.replies[1]!).map(([label, a, b]) => (
                      <tr key={label}>
                        <th scope="row">{label}</th>
                        <td>{a}</td>
                        <td>{b}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              g.replies.map((r) => (
                <AssistantMessage key={r.id} message={r} last={r.id === lastReplyId} onCopy={copy} onCurl={curlOf(r)} onRetry={retry} />
              ))
            )}
          </div>
        );
      })}
      <div ref={endRef} />
    </div>
  );
}
