import type { ReactNode } from 'react';
import type { BenchForm, FormErrors } from './bench-form';

export interface ProfileOption {
  id: string;
  name: string;
  description: string;
}

export interface BenchFormViewProps {
  form: BenchForm;
  errors: FormErrors;
  profiles: ProfileOption[];
  disabled: boolean;
  onChange(patch: Partial<BenchForm>): void;
}

function Field({
  label,
  error,
  hint,
  children,
  htmlFor,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
  htmlFor?: string;
}) {
  return (
    <div className={`bench-field${error ? ' bench-field--error' : ''}`}>
      <label className="bench-field__label" htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {error ? (
        <span className="bench-field__error" role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className="bench-field__hint">{hint}</span>
      ) : null}
    </div>
  );
}

/** The workload, the profiles and the load levels. Text inputs: the store turns them into a request. */
export function BenchFormView({ form: f, errors: e, profiles, disabled, onChange }: BenchFormViewProps) {
  const text = (k: keyof BenchForm, props: { placeholder?: string; inputMode?: 'numeric' | 'decimal' | 'text'; wide?: boolean } = {}) => (
    <input
      id={`bench-${k}`}
      data-testid={`bench-input-${k}`}
      className={`input${props.wide ? ' input--wide' : ''}`}
      value={String(f[k])}
      placeholder={props.placeholder}
      inputMode={props.inputMode}
      aria-invalid={e[k] ? true : undefined}
      disabled={disabled}
      onChange={(ev) => onChange({ [k]: ev.target.value } as Partial<BenchForm>)}
    />
  );
  const toggleProfile = (id: string) =>
    onChange({ profiles: f.profiles.includes(id) ? f.profiles.filter((p) => p !== id) : [...f.profiles, id] });

  return (
    <form className="bench-form" onSubmit={(ev) => ev.preventDefault()} aria-label="Benchmark settings">
      <fieldset className="bench-form__group" disabled={disabled}>
        <legend>Target</legend>
        <div className="segmented" role="radiogroup" aria-label="What to benchmark">
          <label className={`segmented__item${f.target === 'sweep' ? ' is-active' : ''}`}>
            <input type="radio" name="bench-target" checked={f.target === 'sweep'} onChange={() => onChange({ target: 'sweep' })} />
            Profile sweep
          </label>
          <label className={`segmented__item${f.target === 'url' ? ' is-active' : ''}`}>
            <input type="radio" name="bench-target" checked={f.target === 'url'} onChange={() => onChange({ target: 'url' })} />
            Running server (URL)
          </label>
        </div>
        {f.target === 'sweep' ? (
          <>
            <Field label="Profiles" error={e.profiles} hint="The server restarts with each one in turn; the planner is asked first.">
              <div className="bench-form__profiles" data-testid="bench-profiles">
                {profiles.map((p) => (
                  <label key={p.id} className="check" title={p.description}>
                    <input
                      type="checkbox"
                      data-testid={`bench-profile-${p.id}`}
                      checked={f.profiles.includes(p.id)}
                      onChange={() => toggleProfile(p.id)}
                    />
                    {p.name}
                  </label>
                ))}
                {profiles.length === 0 && <span className="bench-field__hint">Loading profiles…</span>}
              </div>
            </Field>
            <Field label="Server port" error={e.port} hint="Empty: each profile’s own port" htmlFor="bench-port">
              {text('port', { placeholder: '8000', inputMode: 'numeric' })}
            </Field>
          </>
        ) : (
          <Field label="Server URL" error={e.url} hint="Any OpenAI-compatible server" htmlFor="bench-url">
            {text('url', { placeholder: 'http://127.0.0.1:8000', wide: true })}
          </Field>
        )}
      </fieldset>

      <fieldset className="bench-form__group" disabled={disabled}>
        <legend>Load</legend>
        <div className="bench-form__row">
          <Field label="Mode" hint={f.mode === 'rate' ? 'open loop, Poisson arrivals' : 'closed loop'} htmlFor="bench-mode">
            <select
              id="bench-mode"
              className="input"
              value={f.mode}
              onChange={(ev) => onChange({ mode: ev.target.value as BenchForm['mode'] })}
            >
              <option value="concurrency">Concurrency</option>
              <option value="rate">Rate (req/s)</option>
            </select>
          </Field>
          <Field label={f.target === 'sweep' ? 'Levels' : 'Level'} error={e.levels} htmlFor="bench-levels">
            {text('levels', { placeholder: f.mode === 'rate' ? '1,2,4' : '1,8,32,64' })}
          </Field>
        </div>
        <div className="bench-form__row">
          <Field label="Each level stops after" htmlFor="bench-limit">
            <select
              id="bench-limit"
              className="input"
              value={f.limitKind}
              onChange={(ev) => onChange({ limitKind: ev.target.value as BenchForm['limitKind'] })}
            >
              <option value="requests">Requests</option>
              <option value="duration">Seconds</option>
            </select>
          </Field>
          {f.limitKind === 'requests' ? (
            <Field label="Count" error={e.requests} htmlFor="bench-requests">
              {text('requests', { inputMode: 'numeric' })}
            </Field>
          ) : (
            <Field label="Seconds" error={e.durationS} htmlFor="bench-durationS">
              {text('durationS', { inputMode: 'decimal' })}
            </Field>
          )}
          <Field label="Warm-up" error={e.warmup} hint="requests, not measured" htmlFor="bench-warmup">
            {text('warmup', { inputMode: 'numeric' })}
          </Field>
        </div>
      </fieldset>

      <fieldset className="bench-form__group" disabled={disabled}>
        <legend>Requests</legend>
        <div className="bench-form__row">
          <Field label="API" htmlFor="bench-api">
            <select
              id="bench-api"
              className="input"
              value={f.api}
              onChange={(ev) => onChange({ api: ev.target.value as BenchForm['api'] })}
            >
              <option value="completions">/v1/completions</option>
              <option value="chat">/v1/chat/completions</option>
            </select>
          </Field>
          <Field label="Prompts" htmlFor="bench-prompt-kind">
            <select
              id="bench-prompt-kind"
              className="input"
              value={f.promptKind}
              onChange={(ev) => onChange({ promptKind: ev.target.value as BenchForm['promptKind'] })}
            >
              <option value="synthetic">Generated</option>
              <option value="jsonl">JSONL file</option>
            </select>
          </Field>
        </div>
        {f.promptKind === 'synthetic' ? (
          <div className="bench-form__row">
            <Field label="Prompt tokens" error={e.promptTokens} hint="N or MIN-MAX" htmlFor="bench-promptTokens">
              {text('promptTokens')}
            </Field>
            <Field label="Shared prefix %" error={e.sharedPrefixPct} hint="exercises prefix caching" htmlFor="bench-sharedPrefixPct">
              {text('sharedPrefixPct', { inputMode: 'decimal' })}
            </Field>
          </div>
        ) : (
          <Field
            label="Prompt file"
            error={e.promptsPath}
            hint='One {"prompt": …} or {"messages": […]} per line'
            htmlFor="bench-promptsPath"
          >
            {text('promptsPath', { placeholder: '/home/me/prompts.jsonl', wide: true })}
          </Field>
        )}
        <Field label="Output tokens" error={e.outputTokens} hint="N or MIN-MAX (sent with ignore_eos)" htmlFor="bench-outputTokens">
          {text('outputTokens')}
        </Field>
      </fieldset>

      <fieldset className="bench-form__group" disabled={disabled}>
        <legend>Goodput SLOs (ms, empty = none)</legend>
        <div className="bench-form__row">
          <Field label="TTFT ≤" error={e.sloTtftMs} htmlFor="bench-sloTtftMs">
            {text('sloTtftMs', { inputMode: 'decimal' })}
          </Field>
          <Field label="ITL ≤" error={e.sloItlMs} htmlFor="bench-sloItlMs">
            {text('sloItlMs', { inputMode: 'decimal' })}
          </Field>
          <Field label="E2E ≤" error={e.sloE2eMs} htmlFor="bench-sloE2eMs">
            {text('sloE2eMs', { inputMode: 'decimal' })}
          </Field>
        </div>
        <Field label="Name" error={e.name} htmlFor="bench-name">
          {text('name', { placeholder: 'optional', wide: true })}
        </Field>
      </fieldset>
    </form>
  );
}
