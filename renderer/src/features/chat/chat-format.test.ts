import { describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyStats } from '../../contract';
import { compareRows, ms, parseField, statItems, textToStop, when } from './chat-format';

const stats: ReplyStats = {
  model: 'm',
  ttftMs: 120.4,
  ttfaMs: 15_300,
  totalMs: 20_000,
  tokensPerSecond: 48.25,
  promptTokens: 1234,
  completionTokens: 500,
  reasoningTokens: 300,
  answerTokens: 200,
  reasoningTokensSource: 'tokenize',
  finishReason: 'stop',
  split: 'client',
  budget: { limit: 256, hit: true, continued: true },
};

describe('chat format', () => {
  it('stat chips', () => {
    const items = statItems(stats);
    expect(items.map((i) => `${i.label}=${i.value}`)).toEqual([
      'TTFT=120 ms',
      'answer after=15.3 s',
      'total=20.0 s',
      'tok/s=48.3',
      'prompt=1,234',
      'reasoning=300',
      'answer=200',
      'finish=stop',
      'budget=256 (reached)',
    ]);
    expect(items.find((i) => i.label === 'reasoning')?.title).toMatch(/tokenize/);
    expect(statItems({ ...stats, budget: null }).some((i) => i.label === 'budget')).toBe(false);
    expect(ms(null)).toBe('—');
  });

  it('side-by-side rows, with … while a lane is still streaming', () => {
    const m = (s?: ReplyStats): ChatMessage => ({
      id: 'm-1',
      role: 'assistant',
      content: '',
      reasoning: '',
      createdAt: 0,
      status: 'done',
      ...(s ? { stats: s } : {}),
    });
    const rows = compareRows(m(stats), m({ ...stats, reasoningTokens: 0, answerTokens: 80, ttfaMs: 90 }));
    expect(rows[0]).toEqual(['Reasoning tokens', '300', '0']);
    expect(rows[2]).toEqual(['Time to first answer token', '15.3 s', '90 ms']);
    expect(compareRows(m(stats), m())[1]).toEqual(['Answer tokens', '200', '…']);
  });

  it('number fields and stop strings', () => {
    expect(parseField('', 'float')).toEqual({ ok: true, value: null });
    expect(parseField(' 0.6 ', 'float')).toEqual({ ok: true, value: 0.6 });
    expect(parseField('1.5', 'int')).toEqual({ ok: false });
    expect(parseField('abc', 'float')).toEqual({ ok: false });
    expect(textToStop('END\n\n\\n\\nUser:')).toEqual(['END', '\n\nUser:']);
  });

  it('relative dates', () => {
    expect(when(1000, 1000 + 30_000)).toBe('just now');
    expect(when(0, 5 * 60_000)).toBe('5 min ago');
    expect(when(0, 3 * 3_600_000)).toBe('3 h ago');
    expect(when(Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 9))).toBe('2026-01-02');
  });
});
