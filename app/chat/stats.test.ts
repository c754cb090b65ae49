import { describe, expect, it } from 'vitest';
import { computeStats, formatStats, type StatsInput, tokensPerSecond } from './stats';

const base: StatsInput = {
  model: 'm',
  t0: 1000,
  tFirst: 1120,
  tFirstAnswer: 1900,
  tLast: 3120,
  tEnd: 3125,
  promptTokens: 30,
  completionTokens: 201,
  reasoningTokens: 80,
  reasoningTokensSource: 'tokenize',
  finishReason: 'stop',
  split: 'client',
  budget: null,
};

describe('reply stats', () => {
  it('TTFT, time to first answer token, total, decode rate and the answer share of the tokens', () => {
    expect(computeStats(base)).toEqual({
      model: 'm',
      ttftMs: 120,
      ttfaMs: 900,
      totalMs: 2125,
      // 200 tokens after the first one, in the 2 s between first and last.
      tokensPerSecond: 100,
      promptTokens: 30,
      completionTokens: 201,
      reasoningTokens: 80,
      answerTokens: 121,
      reasoningTokensSource: 'tokenize',
      finishReason: 'stop',
      split: 'client',
      budget: null,
    });
  });

  it('unknown counts stay unknown instead of becoming 0', () => {
    const s = computeStats({ ...base, completionTokens: null, reasoningTokens: null, reasoningTokensSource: 'none', tFirstAnswer: null });
    expect(s).toMatchObject({ tokensPerSecond: null, answerTokens: null, ttfaMs: null });
    expect(computeStats({ ...base, tFirst: null, tLast: null }).ttftMs).toBeNull();
  });

  it('tokens/s needs two tokens over a positive time', () => {
    expect(tokensPerSecond(1, 0, 100)).toBeNull();
    expect(tokensPerSecond(5, 100, 100)).toBeNull();
    expect(tokensPerSecond(11, 0, 500)).toBe(20);
    expect(tokensPerSecond(null, 0, 500)).toBeNull();
  });

  it('formats one line for the export', () => {
    const line = formatStats(computeStats({ ...base, budget: { limit: 64, hit: true, continued: true } }));
    expect(line).toBe(
      'TTFT 120 ms · answer after 900 ms · total 2125 ms · 100 tok/s · prompt 30 · reasoning 80 · answer 121 · finish stop · budget 64 (reached)',
    );
  });
});
