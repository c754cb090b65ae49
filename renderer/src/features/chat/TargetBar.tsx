import { useEffect, useId, useState } from 'react';
import { useChatStore } from '../../stores/chat-store';

/** Where replies come from: the server the panel launched, or any OpenAI-compatible URL + key. */
export function TargetBar() {
  const target = useChatStore((s) => s.target);
  const models = useChatStore((s) => s.models);
  const st = useChatStore.getState;
  const urlId = useId();
  const keyId = useId();
  const modelId = useId();
  const listId = useId();
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [model, setModel] = useState('');
  const [saved, setSaved] = useState(false);
  // The custom form folds into one summary line once a URL is saved (room for the thread).
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    if (!target) return;
    setUrl(target.customUrl);
    setModel(target.model ?? '');
  }, [target?.customUrl, target?.model, target]);

  if (!target) return <div className="chat-target" data-testid="chat-target" />;
  const kind = target.kind;
  const launched = target.launched;

  const save = async () => {
    const ok = await st().configureTarget({
      customUrl: url.trim(),
      model: model.trim() === '' ? null : model.trim(),
      ...(key ? { apiKey: key } : {}),
    });
    if (ok) {
      setKey('');
      setSaved(true);
      setTimeout(() => setSaved(false), 1500);
      if (url.trim()) setEditing(false);
      void st().loadModels();
    }
  };

  return (
    <div className="chat-target" data-testid="chat-target" data-kind={kind}>
      <div className="chat-target__kinds" role="radiogroup" aria-label="Chat with">
        <label className="chat-check">
          <input
            type="radio"
            name="chat-target"
            checked={kind === 'launched'}
            data-testid="chat-target-launched"
            onChange={() => void st().configureTarget({ kind: 'launched' })}
          />
          Launched server
          <span className={`chat-badge${launched.ready ? ' chat-badge--ok' : ' chat-badge--muted'}`} data-testid="chat-launched-status">
            {launched.ready ? launched.url : launched.status === 'starting' ? 'starting…' : 'not running'}
          </span>
        </label>
        <label className="chat-check">
          <input
            type="radio"
            name="chat-target"
            checked={kind === 'custom'}
            data-testid="chat-target-custom"
            onChange={() => void st().configureTarget({ kind: 'custom' })}
          />
          Custom URL
        </label>
      </div>
      {kind === 'custom' && !editing && target.customUrl && (
        <div className="chat-target__summary" data-testid="chat-target-summary">
          <span className="chat-target__url">{target.customUrl}</span>
          <span className={`chat-badge${target.hasKey ? ' chat-badge--ok' : ' chat-badge--muted'}`}>
            {target.hasKey ? 'key stored' : 'no key'}
          </span>
          <span className="chat-badge chat-badge--muted">{target.model ?? 'first listed model'}</span>
          <button type="button" className="btn btn--ghost btn--xs" onClick={() => setEditing(true)} data-testid="chat-target-edit">
            Change
          </button>
          <span className="chat-target__note" data-testid="chat-key-note">
            {target.keyStorageNote}
          </span>
        </div>
      )}
      {kind === 'custom' && (editing || !target.customUrl) && (
        <form
          className="chat-target__custom"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label htmlFor={urlId} className="chat-field">
            <span className="chat-field__label">Base URL</span>
            <input
              id={urlId}
              className="chat-field__input"
              type="url"
              placeholder="http://127.0.0.1:8000"
              value={url}
              data-testid="chat-target-url"
              onChange={(e) => setUrl(e.target.value)}
            />
          </label>
          <label htmlFor={keyId} className="chat-field">
            <span className="chat-field__label">API key {target.hasKey && <span className="chat-badge chat-badge--ok">stored</span>}</span>
            <input
              id={keyId}
              className="chat-field__input"
              type="password"
              autoComplete="off"
              placeholder={target.hasKey ? '•••••••• (enter to replace)' : 'optional'}
              value={key}
              data-testid="chat-target-key"
              onChange={(e) => setKey(e.target.value)}
            />
          </label>
          <label htmlFor={modelId} className="chat-field">
            <span className="chat-field__label">Model</span>
            <input
              id={modelId}
              className="chat-field__input"
              list={listId}
              placeholder="first model the server lists"
              value={model}
              data-testid="chat-target-model"
              onFocus={() => void st().loadModels()}
              onChange={(e) => setModel(e.target.value)}
            />
            <datalist id={listId}>
              {models.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </label>
          <div className="chat-target__buttons">
            <button type="submit" className="btn btn--primary btn--sm" data-testid="chat-target-save">
              {saved ? 'Saved' : 'Save'}
            </button>
            {target.hasKey && (
              <button
                type="button"
                className="btn btn--ghost btn--sm"
                onClick={() => void st().configureTarget({ apiKey: null })}
                data-testid="chat-target-forget-key"
              >
                Forget key
              </button>
            )}
          </div>
          <p className="chat-target__note" data-testid="chat-key-note">
            {target.keyStorageNote}
          </p>
        </form>
      )}
    </div>
  );
}
