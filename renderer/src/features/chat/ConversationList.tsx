import { useEffect, useState } from 'react';
import { useChatStore } from '../../stores/chat-store';
import { when } from './chat-format';

/** Saves text as a file through the browser (web shell) or Electron's download path. */
export function download(filename: string, mime: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ConversationList() {
  const list = useChatStore((s) => s.list);
  const currentId = useChatStore((s) => s.current?.id);
  const st = useChatStore.getState;
  const [query, setQuery] = useState('');
  const [now, setNow] = useState(() => Date.now());

  // Search as the user types (debounced: one request per pause).
  useEffect(() => {
    const h = setTimeout(() => void st().loadList(query), 150);
    return () => clearTimeout(h);
  }, [query]);
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(h);
  }, []);

  const exportAs = async (id: string, format: 'markdown' | 'json') => {
    const r = await st().exportAs(id, format);
    if (r) download(r.filename, r.mime, r.content);
  };

  return (
    <nav className="chat-list" aria-label="Conversations" data-testid="chat-list">
      <div className="chat-list__top">
        <button type="button" className="btn btn--sm" onClick={() => st().newChat()} data-testid="chat-new">
          New chat
        </button>
        <input
          className="chat-field__input chat-list__search"
          type="search"
          placeholder="Search conversations"
          aria-label="Search conversations"
          value={query}
          data-testid="chat-search"
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      {list.length === 0 ? (
        <p className="chat-list__empty">{query ? 'No conversation matches.' : 'No saved conversations yet.'}</p>
      ) : (
        <ul className="chat-list__items">
          {list.map((c) => (
            <li
              key={c.id}
              className={`chat-list__item${c.id === currentId ? ' chat-list__item--current' : ''}`}
              data-testid="chat-list-item"
            >
              <button
                type="button"
                className="chat-list__open"
                onClick={() => void st().open(c.id)}
                aria-current={c.id === currentId || undefined}
              >
                <span className="chat-list__title">{c.title || 'New chat'}</span>
                <span className="chat-list__meta">
                  {when(c.updatedAt, now)} · {c.messageCount} messages
                </span>
              </button>
              <div className="chat-list__actions">
                <button
                  type="button"
                  className="btn btn--ghost btn--xs"
                  onClick={() => void exportAs(c.id, 'markdown')}
                  aria-label={`Export ${c.title} as Markdown`}
                  data-testid="chat-export-md"
                >
                  .md
                </button>
                <button
                  type="button"
                  className="btn btn--ghost btn--xs"
                  onClick={() => void exportAs(c.id, 'json')}
                  aria-label={`Export ${c.title} as JSON`}
                  data-testid="chat-export-json"
                >
                  .json
                </button>
                <button
                  type="button"
                  className="btn btn--ghost btn--xs"
                  onClick={() => {
                    if (globalThis.confirm?.(`Delete “${c.title}”?`) ?? true) void st().remove(c.id);
                  }}
                  aria-label={`Delete ${c.title}`}
                  data-testid="chat-delete"
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
