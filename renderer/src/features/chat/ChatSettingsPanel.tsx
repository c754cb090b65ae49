import { useEffect, useId, useState } from 'react';
import type { Sampling } from '../../contract';
import { DEFAULT_SETTINGS, useChatStore } from '../../stores/chat-store';
import { parseField, stopToText, textToStop } from './chat-format';

type NumKey = 'temperature' | 'top_p' | 'top_k' | 'max_tokens' | 'seed';

const FIELDS: { key: NumKey; label: string; kind: 'float' | 'int'; hint: string; min?: number; max?: number }[] = [
  { key: 'temperature', label: 'temperature', kind: 'float', hint: '0–2; 0 = greedy', min: 0, max: 2 },
  { key: 'top_p', label: 'top_p', kind: 'float', hint: '(0, 1]', min: 0, max: 1 },
  { key: 'top_k', label: 'top_k', kind: 'int', hint: '-1 = off', min: -1 },
  { key: 'max_tokens', label: 'max_tokens', kind: 'int', hint: 'reply limit (reasoning + answer)', min: 1 },
  { key: 'seed', label: 'seed', kind: 'int', hint: 'empty = random' },
];

/** One sampling number: empty leaves it to the server; invalid text is kept and flagged, not sent. */
function NumberField({
  field,
  value,
  onChange,
}: {
  field: (typeof FIELDS)[number];
  value: number | null;
  onChange(v: number | null): void;
}) {
  const id = useId();
  const [text, setText] = useState(value === null ? '' : String(value));
  const [bad, setBad] = useState(false);
  // A mode switch or a reset changes the value from outside.
  useEffect(() => {
    setText(value === null ? '' : String(value));
    setBad(false);
  }, [value]);
  return (
    <label className="chat-field" htmlFor={id}>
      <span className="chat-field__label">{field.label}</span>
      <input
        id={id}
        className="chat-field__input"
        inputMode={field.kind === 'int' ? 'numeric' : 'decimal'}
        value={text}
        placeholder="server default"
        aria-invalid={bad || undefined}
        data-testid={`chat-sampling-${field.key}`}
        onChange={(e) => {
          setText(e.target.value);
          const p = parseField(e.target.value, field.kind);
          const inRange =
            p.ok &&
            (p.value === null || ((field.min === undefined || p.value >= field.min) && (field.max === undefined || p.value <= field.max)));
          setBad(!inRange);
          if (p.ok && inRange) onChange(p.value);
        }}
      />
      <span className="chat-field__hint">{field.hint}</span>
    </label>
  );
}

export function ChatSettingsPanel() {
  const settings = useChatStore((s) => s.settings);
  const compare = useChatStore((s) => s.compare);
  const st = useChatStore.getState;
  const mode = settings.mode;
  const sampling = settings.sampling[mode];
  const recommended = DEFAULT_SETTINGS.sampling[mode];
  const isRecommended =
    (['temperature', 'top_p', 'top_k', 'max_tokens', 'seed'] as const).every((k) => sampling[k] === recommended[k]) &&
    sampling.stop.length === 0;
  const sysId = useId();
  const stopId = useId();
  const budgetId = useId();
  const [stopText, setStopText] = useState(stopToText(sampling.stop));
  useEffect(() => setStopText(stopToText(sampling.stop)), [sampling.stop]);

  return (
    <aside className="chat-settings" aria-label="Chat settings" data-testid="chat-settings">
      <div className="chat-settings__row">
        <button
          type="button"
          className={`chat-switch${mode === 'think' ? ' chat-switch--on' : ''}`}
          role="switch"
          aria-checked={mode === 'think'}
          data-testid="chat-think-toggle"
          data-mode={mode}
          onClick={() => st().setMode(mode === 'think' ? 'no_think' : 'think')}
          title="Puts /think or /no_think first in the system message (the model card's switch)"
        >
          <span className="chat-switch__knob" aria-hidden="true" />
          <span>{mode === 'think' ? 'Think' : 'No think'}</span>
        </button>
        <button
          type="button"
          className={`btn btn--sm${compare ? ' btn--primary' : ''}`}
          aria-pressed={compare}
          data-testid="chat-compare"
          onClick={() => st().setCompare(!compare)}
          title="Send the next message with /think and /no_think at once and compare the replies"
        >
          Side by side
        </button>
      </div>

      <label className="chat-field chat-field--wide" htmlFor={sysId}>
        <span className="chat-field__label">System prompt</span>
        <textarea
          id={sysId}
          className="chat-field__input"
          rows={3}
          maxLength={20_000}
          value={settings.systemPrompt}
          placeholder="Your own instructions (the mode keyword is added in front)"
          data-testid="chat-system-prompt"
          onChange={(e) => st().setSystemPrompt(e.target.value)}
        />
      </label>

      <fieldset className="chat-fieldset">
        <legend>
          Sampling for {mode === 'think' ? '/think' : '/no_think'}
          {isRecommended ? <span className="chat-badge chat-badge--ok">recommended</span> : null}
        </legend>
        <p className="chat-settings__hint">
          {mode === 'think'
            ? 'Model card: temperature 0.6, top_p 0.95, and max_tokens 1024 or more with reasoning.'
            : 'Model card: greedy decoding (temperature 0) without reasoning.'}
        </p>
        <div className="chat-fields">
          {FIELDS.map((f) => (
            <NumberField
              key={f.key}
              field={f}
              value={sampling[f.key]}
              onChange={(v) => st().setSampling({ [f.key]: v } as Partial<Sampling>)}
            />
          ))}
          <label className="chat-field chat-field--wide" htmlFor={stopId}>
            <span className="chat-field__label">stop</span>
            <textarea
              id={stopId}
              className="chat-field__input"
              rows={2}
              value={stopText}
              placeholder="one stop string per line (\n for a newline)"
              data-testid="chat-sampling-stop"
              onChange={(e) => {
                setStopText(e.target.value);
                st().setSampling({ stop: textToStop(e.target.value) });
              }}
            />
          </label>
        </div>
        <button
          type="button"
          className="btn btn--ghost btn--xs"
          onClick={() => st().resetSampling()}
          disabled={isRecommended}
          data-testid="chat-sampling-reset"
        >
          Reset to recommended
        </button>
      </fieldset>

      <fieldset className="chat-fieldset">
        <legend>Thinking budget</legend>
        <div className="chat-budget">
          <label className="chat-check">
            <input
              type="checkbox"
              checked={settings.budget.enabled}
              data-testid="chat-budget"
              onChange={(e) => st().setBudget({ enabled: e.target.checked })}
            />
            Cap the reasoning at
          </label>
          <input
            id={budgetId}
            className="chat-field__input chat-budget__tokens"
            type="number"
            min={1}
            max={131072}
            step={1}
            aria-label="Thinking budget in tokens"
            value={settings.budget.tokens}
            data-testid="chat-budget-tokens"
            onChange={(e) => {
              const n = Number(e.target.value);
              if (Number.isInteger(n) && n >= 1 && n <= 131_072) st().setBudget({ tokens: n });
            }}
          />
          <span>tokens</span>
        </div>
        <p className="chat-settings__hint">
          The model card’s client technique: the reasoning stops at the budget, the thought is closed, and the answer continues through
          /v1/completions (token counts from the server’s /tokenize). Applies to /think replies.
        </p>
      </fieldset>
    </aside>
  );
}
