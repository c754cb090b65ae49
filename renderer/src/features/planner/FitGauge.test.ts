import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { PlanResult as PlanResultSchema } from '../../../../app/contract/planner';
import type { Remedy } from '../../contract';
import { FitGaugeView, type FitGaugeViewProps } from './FitGauge';
import fitsJson from './fixtures/plan-fits.json';
import unavailableJson from './fixtures/plan-unavailable.json';
import failJson from './fixtures/plan-will-fail.json';

const fits = PlanResultSchema.parse(fitsJson);
const fail = PlanResultSchema.parse(failJson);
const unavailable = PlanResultSchema.parse(unavailableJson);

const base: FitGaugeViewProps = {
  result: null,
  pending: false,
  errorMessage: null,
  gpuSource: 'selection',
  presetId: '80',
  onPreset: () => {},
};
const render = (p: Partial<FitGaugeViewProps>) => renderToStaticMarkup(createElement(FitGaugeView, { ...base, ...p }));

/** Text inside the element with this data-testid (first match). */
function byTestId(html: string, id: string): string | null {
  const m = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return m ? (m[1] as string) : null;
}

describe('FitGaugeView', () => {
  it('fits: green chip, KV tokens, concurrency at max-model-len, stacked bar', () => {
    const html = render({ result: fits });
    expect(html).toContain('data-testid="fit-gauge"');
    expect(byTestId(html, 'fit-verdict')).toBe('fits');
    expect(html).toContain('fit-chip--fits');
    expect(byTestId(html, 'fit-kv-tokens')).toBe('706,768 tokens');
    expect(byTestId(html, 'fit-max-concurrency')).toMatch(/^\d+\.\d\d × 32,768-token requests · max-num-seqs 64$/);
    for (const seg of ['others', 'weights', 'overhead', 'kv', 'headroom']) expect(html).toContain(`data-testid="fit-seg-${seg}"`);
    expect(html).not.toContain('data-testid="fit-gpu-preset"');
  });

  it('will-fail: red chip, the problem, and fix buttons only when the editor can apply them', () => {
    const withoutApply = render({ result: fail });
    expect(byTestId(withoutApply, 'fit-verdict')).toBe('will-fail');
    expect(withoutApply).toContain('fit-chip--will-fail');
    expect(withoutApply).toContain('data-kind="mamba_cache_blocks_exceeded"');
    expect(withoutApply).not.toContain('data-testid="fit-remedy"');
    expect(withoutApply).toContain('Lower max-num-seqs to 344');

    const applied: Remedy[] = [];
    const html = render({ result: fail, onApplyRemedy: (r) => applied.push(r) });
    expect(html.match(/data-testid="fit-remedy"/g)?.length).toBe(fail.remedies.length);
    expect(html).toMatch(/data-testid="fit-remedy">Lower max-num-seqs to 344</);
  });

  it('unavailable model: unknown chip and the reason', () => {
    const html = render({ result: unavailable });
    expect(byTestId(html, 'fit-verdict')).toBe('unknown');
    expect(byTestId(html, 'fit-summary')).toBe('Estimate unavailable: org/x is not in the Hugging Face cache');
    expect(html).not.toContain('data-testid="fit-bar"');
  });

  it('before the first answer, and with a preset GPU size when no GPU is selected', () => {
    const html = render({ result: null, pending: true, gpuSource: 'preset' });
    expect(byTestId(html, 'fit-verdict')).toBe('unknown');
    expect(byTestId(html, 'fit-summary')).toBe('Planning…');
    expect(html).toContain('data-testid="fit-pending"');
    expect(html).toContain('data-testid="fit-gpu-preset"');
    expect(render({ result: null, errorMessage: 'disconnected' })).toContain('Could not plan: disconnected');
  });

  it('keeps the last plan visible with a note when a newer request failed', () => {
    const html = render({ result: fits, errorMessage: 'timeout' });
    expect(byTestId(html, 'fit-verdict')).toBe('fits');
    expect(html).toContain('Showing the last plan: timeout');
  });
});
