import { describe, expect, it } from 'vitest';
import { effectiveThinkMode, ReasoningSplitter, reasoningField, recommendedSampling, systemPrompt } from './reasoning';

/** Feeds `text` in every possible pair of chunk boundaries and checks the split never changes. */
function splitAll(text: string, startsInThink: boolean, cuts: number[]) {
  const s = new ReasoningSplitter(startsInThink);
  let reasoning = '';
  let answer = '';
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    const d = s.push(text.slice(prev, c));
    reasoning += d.reasoning;
    answer += d.answer;
    prev = c;
  }
  const e = s.end();
  return { reasoning: reasoning + e.reasoning, answer: answer + e.answer, closed: s.closed };
}

describe('ReasoningSplitter', () => {
  const reply = 'Okay, the user asked 2+2. </think>\n\n2 + 2 equals **4**.';

  it('splits at </think> for every chunking, including cuts inside the tag', () => {
    for (let a = 0; a <= reply.length; a++) {
      for (let b = a; b <= reply.length; b += 3) {
        const r = splitAll(reply, true, [a, b]);
        expect(r).toEqual({ reasoning: 'Okay, the user asked 2+2. ', answer: '\n\n2 + 2 equals **4**.', closed: true });
      }
    }
  });

  it('streams one character at a time', () => {
    const cuts = [...reply].map((_, i) => i + 1);
    expect(splitAll(reply, true, cuts).answer).toBe('\n\n2 + 2 equals **4**.');
  });

  it('keeps everything as reasoning when </think> never comes (budget or max_tokens cut)', () => {
    const r = splitAll('still thinking about </thi', true, [10]);
    expect(r).toEqual({ reasoning: 'still thinking about </thi', answer: '', closed: false });
  });

  it('treats a /no_think reply as all answer, even if it mentions the tag later', () => {
    expect(splitAll('The answer is 4. Tags like </think> are markup.', false, [5])).toEqual({
      reasoning: '',
      answer: 'The answer is 4. Tags like </think> are markup.',
      closed: false,
    });
  });

  it('accepts an explicit leading <think> split across chunks', () => {
    expect(splitAll('<think>\nhmm</think>yes', false, [2, 4])).toEqual({ reasoning: '\nhmm', answer: 'yes', closed: true });
  });
});

describe('thinking controls', () => {
  it('last /think or /no_think in system or user messages wins', () => {
    expect(effectiveThinkMode([{ role: 'user', content: 'hi' }])).toBe('think');
    expect(
      effectiveThinkMode([
        { role: 'system', content: '/no_think' },
        { role: 'user', content: 'hi' },
      ]),
    ).toBe('no_think');
    expect(
      effectiveThinkMode([
        { role: 'system', content: '/no_think' },
        { role: 'user', content: 'explain /think' },
      ]),
    ).toBe('think');
    expect(effectiveThinkMode([{ role: 'assistant', content: '/no_think' }])).toBe('think');
  });

  it('builds the system prompt with the keyword and the user text', () => {
    expect(systemPrompt('think', '')).toBe('/think');
    expect(systemPrompt('no_think', 'You are terse. /think')).toBe('/no_think\nYou are terse.');
    expect(recommendedSampling('think')).toEqual({ temperature: 0.6, top_p: 0.95 });
    expect(recommendedSampling('no_think').temperature).toBe(0);
  });

  it('reads reasoning from new and old vLLM field names', () => {
    expect(reasoningField({ reasoning: 'a' })).toBe('a');
    expect(reasoningField({ reasoning_content: 'b' })).toBe('b');
    expect(reasoningField({ content: 'c' })).toBeUndefined();
  });
});
