import { describe, expect, it } from 'vitest';
import { renderChat, thinkingMode } from './chat-template';
import { OutputStream, topicWords } from './generator';
import { blockHashes, tokenizer, VOCAB_SIZE } from './tokenizer';

describe('sim tokenizer', () => {
  const tok = tokenizer();

  it('round-trips arbitrary text, including non-ASCII and specials', () => {
    for (const s of ['Hello, world!', 'naïve café — 日本語 😀', '<think>\nx</think>\n\nOk.', '  two  spaces\n\n\tTab', 'a1b22c333']) {
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
  });

  it('keeps every id inside the vocabulary and is deterministic', () => {
    const ids = tok.encode('The model answers the question about memory and throughput. Ünïcödé!');
    expect(ids.every((i) => i >= 0 && i < VOCAB_SIZE)).toBe(true);
    expect(tok.encode('The model answers the question')).toEqual(tok.encode('The model answers the question'));
  });

  it('costs one token per lexicon word and ~2 chars per token otherwise', () => {
    expect(tok.encode(' the model')).toHaveLength(2);
    expect(tok.encode('zzzzzzzz')).toHaveLength(4);
    expect(tok.count('<SPECIAL_10>System')).toBe(2);
  });

  it('hashes only full blocks, chained', () => {
    const ids = Array.from({ length: 40 }, (_, i) => i);
    const h = blockHashes(ids, 16);
    expect(h).toHaveLength(2);
    const other = blockHashes([...ids.slice(0, 16), 99, ...ids.slice(17)], 16);
    expect(other[0]).toBe(h[0]);
    expect(other[1]).not.toBe(h[1]);
  });
});

describe('sim output generator', () => {
  const tok = tokenizer();

  it('is deterministic per seed and re-tokenises to the same ids', () => {
    for (const seed of [1, 2, 3, 42, 1234567]) {
      for (const think of [false, true]) {
        const a = new OutputStream({ seed, think, topics: ['quantization', 'kernels'] });
        const b = new OutputStream({ seed, think, topics: ['quantization', 'kernels'] });
        expect(a.ids).toEqual(b.ids);
        expect(a.naturalLength).toBe(a.ids.length);
        const text = a.text(0, a.naturalLength);
        expect(tok.encode(text)).toEqual(a.ids);
      }
    }
  });

  it('thinks first: reasoning, </think>, then the answer, with no opening <think>', () => {
    const s = new OutputStream({ seed: 7, think: true, topics: ['weather'] });
    const text = s.text(0, s.naturalLength);
    expect(text.startsWith('Okay, the user asks about the weather.')).toBe(true);
    expect(text).not.toContain('<think>');
    expect(s.thinkEnd).toBeGreaterThan(0);
    expect(s.pieces[s.thinkEnd]).toBe('</think>');
    expect(text.indexOf('</think>\n\nHere is a')).toBeGreaterThan(0);
  });

  it('extends forever with ignore_eos', () => {
    const s = new OutputStream({ seed: 9, think: false, topics: [], ignoreEos: true });
    s.ensure(5000);
    expect(s.ids.length).toBeGreaterThanOrEqual(5000);
    expect(s.naturalLength).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes topic words from the prompt', () => {
    expect(topicWords('Explain /think quantization of transformer kernels please')).toEqual(['quantization', 'transformer', 'kernels']);
  });
});

describe('chat template', () => {
  it('last /think or /no_think in system or user wins; default depends on the model', () => {
    expect(thinkingMode([{ role: 'user', content: 'hi' }], true)).toBe(true);
    expect(thinkingMode([{ role: 'system', content: '/no_think' }], true)).toBe(false);
    expect(
      thinkingMode(
        [
          { role: 'system', content: '/no_think' },
          { role: 'user', content: 'hi /think' },
        ],
        true,
      ),
    ).toBe(true);
    expect(
      thinkingMode(
        [
          { role: 'system', content: '/think' },
          { role: 'assistant', content: '/no_think' },
        ],
        false,
      ),
    ).toBe(true);
  });

  it('renders Nemotron prompts ending inside or after the think block and strips keywords', () => {
    const on = renderChat(
      [
        { role: 'system', content: '/think' },
        { role: 'user', content: 'What is 2+2?' },
      ],
      'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
    );
    expect(on.think).toBe(true);
    expect(on.prompt.endsWith('<think>\n')).toBe(true);
    expect(on.prompt).not.toContain('/think');
    const off = renderChat([{ role: 'user', content: '/no_think What is 2+2?' }], 'nvidia/NVIDIA-Nemotron-Nano-12B-v2');
    expect(off.think).toBe(false);
    expect(off.prompt.endsWith('<think></think>')).toBe(true);
    const other = renderChat([{ role: 'user', content: 'hi' }], 'Qwen/Qwen3-0.6B');
    expect(other.think).toBe(false);
  });
});
