import { useEffect, useState } from 'react';
import { GaugeIcon } from '../../components/icons';
import { Panel } from '../../components/Panel';
import type { Remedy } from '../../contract';
import { useGpuStore } from '../../stores/gpu-store';
import { usePlannerStore } from '../../stores/planner-store';
import { useProfileStore } from '../../stores/profile-store';
import {
  concurrencyText,
  DEFAULT_PRESET_ID,
  type FlagValues,
  fmtGiB,
  fmtInt,
  GPU_PRESETS,
  gaugeSegments,
  isApplicable,
  type PlanResult,
  planRequest,
  VERDICT_TEXT,
} from './fit-gauge-model';
import './planner.css';

export interface FitGaugeProps {
  /** Overrides the profile store's current profile (model and flags) — for reuse outside the Launch page. */
  model?: string;
  flags?: FlagValues;
  vllmVersion?: string | null;
  /** Overrides how a fix is applied (default: the profile store's applyRemedy, which edits the current profile). */
  onApplyRemedy?: (remedy: Remedy) => void;
}

/**
 * The live fit gauge beside the profile editor: asks the planner (debounced in the planner
 * store) whenever the edited profile's flags or the GPU selection change, and shows the memory
 * split, KV capacity, concurrency and a verdict with one-click fixes.
 */
export function FitGauge(props: FitGaugeProps) {
  const snapshot = useGpuStore((s) => s.snapshot);
  const selection = useGpuStore((s) => s.selection);
  const current = useProfileStore((s) => s.current);
  const runtimeVersion = useProfileStore((s) => s.runtime?.version ?? null);
  const result = usePlannerStore((s) => s.result);
  const status = usePlannerStore((s) => s.status);
  const error = usePlannerStore((s) => s.error);
  const [presetId, setPresetId] = useState(DEFAULT_PRESET_ID);

  const model = props.model ?? current.model;
  const flags = props.flags ?? current.flags;
  const version = props.vllmVersion !== undefined ? props.vllmVersion : runtimeVersion;
  const selected = selection?.indices ?? [];
  const detected = snapshot?.gpus.length ?? 0;
  const useSelection = selected.length > 0 && detected > 0;
  const selectedKey = selected.join(',');
  const flagsKey = JSON.stringify(flags);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the serialised inputs, not their identities.
  useEffect(() => {
    if (!model) return;
    usePlannerStore
      .getState()
      .requestPlan(planRequest({ model, flags, selectedIndices: selected, gpusDetected: detected, presetId, vllmVersion: version }));
  }, [model, flagsKey, selectedKey, detected, presetId, version]);

  const apply = props.onApplyRemedy ?? ((r: Remedy) => void useProfileStore.getState().applyRemedy(r));
  return (
    <FitGaugeView
      result={result}
      pending={status === 'pending'}
      errorMessage={error?.message ?? null}
      gpuSource={useSelection ? 'selection' : 'preset'}
      presetId={presetId}
      onPreset={setPresetId}
      onApplyRemedy={apply}
    />
  );
}

export interface FitGaugeViewProps {
  result: PlanResult | null;
  pending: boolean;
  errorMessage: string | null;
  /** Where the GPU size comes from: the ticked GPUs, or the preset picker (no GPU detected/selected). */
  gpuSource: 'selection' | 'preset';
  presetId: string;
  onPreset(id: string): void;
  onApplyRemedy?: (remedy: Remedy) => void;
}

/** Pure view (rendered in tests with any plan). */
export function FitGaugeView(p: FitGaugeViewProps) {
  const r = p.result;
  const verdict = r?.verdict ?? 'unknown';
  const actions = (
    <>
      {p.pending && (
        <span className="fit-pending" data-testid="fit-pending">
          updating…
        </span>
      )}
      <span className={`fit-chip fit-chip--${verdict}`} data-testid="fit-verdict" data-verdict={verdict} title={VERDICT_TEXT[verdict]}>
        {verdict}
      </span>
    </>
  );
  return (
    <Panel title="Memory fit" icon={<GaugeIcon />} testId="fit-gauge" className="launch__fit" actions={actions}>
      <div className="fit">
        {p.gpuSource === 'preset' && (
          <label className="fit-preset">
            <span>GPU size</span>
            <select value={p.presetId} onChange={(e) => p.onPreset(e.target.value)} data-testid="fit-gpu-preset">
              {GPU_PRESETS.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.label}
                </option>
              ))}
            </select>
          </label>
        )}
        {r === null ? (
          <p className="fit-summary" data-testid="fit-summary">
            {p.errorMessage ? `Could not plan: ${p.errorMessage}` : 'Planning…'}
          </p>
        ) : (
          <PlanDetails result={r} {...(p.onApplyRemedy ? { onApplyRemedy: p.onApplyRemedy } : {})} />
        )}
        {r !== null && p.errorMessage && (
          <p className="fit-stale" data-testid="fit-error">
            Showing the last plan: {p.errorMessage}
          </p>
        )}
      </div>
    </Panel>
  );
}

function PlanDetails({ result: r, onApplyRemedy }: { result: PlanResult; onApplyRemedy?: (remedy: Remedy) => void }) {
  const { segments, overflowGiB } = gaugeSegments(r);
  const conc = concurrencyText(r);
  const problems = r.problems.filter((x) => !(r.verdict === 'will-fail' && x.severity === 'info'));
  return (
    <>
      <p className={`fit-summary fit-summary--${r.verdict}`} data-testid="fit-summary">
        {r.summary}
      </p>
      {segments.length > 0 && r.memory && (
        <figure className="fit-figure">
          <div
            className="fit-bar"
            data-testid="fit-bar"
            role="img"
            aria-label={segments.map((s) => `${s.label} ${fmtGiB(s.gib)}`).join(', ')}
          >
            {segments.map((s) => (
              <div
                key={s.key}
                className={`fit-bar__seg fit-bar__seg--${s.key}`}
                style={{ width: `${s.pct}%` }}
                title={`${s.label}: ${fmtGiB(s.gib, 2)}`}
                data-testid={`fit-seg-${s.key}`}
              />
            ))}
          </div>
          <figcaption className="fit-legend">
            {segments.map((s) => (
              <span key={s.key} className="fit-legend__item">
                <i className={`fit-dot fit-bar__seg--${s.key}`} aria-hidden="true" />
                {s.label} {fmtGiB(s.gib)}
              </span>
            ))}
            <span className="fit-legend__item fit-legend__total">
              of {fmtGiB(r.memory.totalGiB)} · budget {fmtGiB(r.memory.budgetGiB)} (util {r.settings?.gpuMemoryUtilization.value})
            </span>
            {overflowGiB > 0 && (
              <span className="fit-legend__item fit-legend__over" data-testid="fit-overflow">
                {fmtGiB(overflowGiB)} more than the GPU has
              </span>
            )}
          </figcaption>
        </figure>
      )}
      {r.kv && (
        <dl className="fit-stats">
          <div>
            <dt>KV cache</dt>
            <dd data-testid="fit-kv-tokens">{fmtInt(r.kv.kvCacheTokens)} tokens</dd>
          </div>
          <div>
            <dt>At max-model-len</dt>
            <dd data-testid="fit-max-concurrency">{conc ?? '—'}</dd>
          </div>
          <div>
            <dt>Longest that fits</dt>
            <dd data-testid="fit-max-len">{fmtInt(r.kv.maxModelLenThatFits)} tokens</dd>
          </div>
          {r.kv.stateBytesPerSequence > 0 && (
            <div>
              <dt>Mamba state</dt>
              <dd>
                {(r.kv.stateBytesPerSequence / 2 ** 20).toFixed(0)} MiB/seq · block {fmtInt(r.kv.blockSize)} tokens
              </dd>
            </div>
          )}
        </dl>
      )}
      {problems.length > 0 && (
        <ul className="fit-problems" data-testid="fit-problems">
          {problems.map((x) => (
            <li key={`${x.kind}-${x.severity}`} className={`fit-problem fit-problem--${x.severity}`} data-kind={x.kind}>
              <span className="fit-problem__text">{x.message}</span>
              {x.remedies.length > 0 && (
                <span className="fit-problem__fixes">
                  {x.remedies.map((rem) =>
                    isApplicable(rem) && onApplyRemedy ? (
                      <button
                        key={rem.label}
                        type="button"
                        className="btn btn--xs"
                        data-testid="fit-remedy"
                        onClick={() => onApplyRemedy(rem)}
                      >
                        {rem.label}
                      </button>
                    ) : (
                      <span key={rem.label} className="fit-advice" data-testid="fit-advice">
                        {rem.label}
                      </span>
                    ),
                  )}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {r.assumptions.length > 0 && (
        <details className="fit-assumptions">
          <summary>How this is estimated</summary>
          <ul>
            {r.assumptions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
