import { useEffect, useId, useRef, useState } from 'react';
import { useChatStore } from '../../stores/chat-store';

/** Shows "Copy as curl": the command, redacted unless the user asks to include the key. */
export function CurlDialog() {
  const curl = useChatStore((s) => s.curl);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const d = ref.current;
    if (curl && d && !d.open && typeof d.showModal === 'function') d.showModal();
  }, [curl]);

  if (!curl) return null;
  const st = useChatStore.getState;
  const close = () => {
    ref.current?.close();
    st().closeCurl();
  };
  const copy = () => {
    void navigator.clipboard?.writeText(curl.command).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1200);
      },
      () => {},
    );
  };
  return (
    <dialog ref={ref} className="chat-curl" aria-labelledby={titleId} data-testid="chat-curl-dialog" onCancel={() => st().closeCurl()}>
      <h2 id={titleId} className="chat-curl__title">
        Copy as curl
      </h2>
      <p className="chat-curl__hint">
        {curl.redacted
          ? 'The API key is left out: the command reads it from $VLLM_API_KEY.'
          : 'The exact request the panel sends (URL, headers, JSON body).'}
      </p>
      <pre className="chat-curl__text" data-testid="chat-curl-text">
        {curl.command}
      </pre>
      <div className="chat-curl__actions">
        {curl.redacted && (
          <button
            type="button"
            className="btn btn--ghost btn--sm"
            onClick={() => void st().showCurl(curl.source, true)}
            data-testid="chat-curl-reveal"
          >
            Include the key
          </button>
        )}
        <button type="button" className="btn btn--primary btn--sm" onClick={copy} data-testid="chat-curl-copy">
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn--sm" onClick={close}>
          Close
        </button>
      </div>
    </dialog>
  );
}
