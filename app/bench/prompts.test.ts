import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type WorkloadInput, WorkloadSchema } from '../contract/bench';
import { parseJsonlPrompts, preparePrompts, sharedPrefixTokens } from './prompts';

const wl = (w: Partial<WorkloadInput>) => WorkloadSchema.parse({ requests: 1, ...w });
const promptOf = (body: string) => (JSON.parse(body) as { prompt: string }).prompt;
const words = (s: string) => s.trim().split(/\s+/);

describe('synthetic prompts', () => {
  it('have the asked number of words, the same for a seed and request number, different across requests', async () => {
    const set = await preparePrompts(wl({ prompt: { kind: 'synthetic', tokens: { kind: 'fixed', value: 300 } }, seed: 5 }), 'm');
    const a = promptOf(set.request(0).body);
    expect(words(a)).toHaveLength(300);
    expect(
      promptOf(
        (await preparePrompts(wl({ prompt: { kind: 'synthetic', tokens: { kind: 'fixed', value: 300 } }, seed: 5 }), 'm')).request(0).body,
      ),
    ).toBe(a);
    expect(promptOf(set.request(1).body)).not.toBe(a);
    expect(set.request(0).promptTokensEstimate).toBe(300);
  });

  it('share exactly the asked prefix, then diverge', async () => {
    const set = await preparePrompts(
      wl({ prompt: { kind: 'synthetic', tokens: { kind: 'uniform', min: 100, max: 200 }, sharedPrefixRatio: 0.5 } }),
      null,
    );
    expect(sharedPrefixTokens({ kind: 'uniform', min: 100, max: 200 }, 0.5)).toBe(50);
    const ps = [0, 1, 2, 3].map((i) => words(promptOf(set.request(i).body)));
    for (const p of ps) {
      expect(p.length).toBeGreaterThanOrEqual(100);
      expect(p.length).toBeLessThanOrEqual(200);
      expect(p.slice(0, 50)).toEqual(ps[0]!.slice(0, 50));
    }
    // The unique parts differ right after the prefix (no accidental prefix-cache hits).
    expect(new Set(ps.map((p) => p.slice(50, 58).join(' '))).size).toBe(4);
  });

  it('carry the output length, model, streaming usage and ignore_eos; chat wraps the text in a user message', async () => {
    const c = await preparePrompts(
      wl({
        api: 'chat',
        outputTokens: { kind: 'uniform', min: 10, max: 20 },
        temperature: 0.6,
        prompt: { kind: 'synthetic', tokens: { kind: 'fixed', value: 4 } },
      }),
      'served',
    );
    const body = JSON.parse(c.request(3).body);
    expect(body).toMatchObject({
      model: 'served',
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true,
      temperature: 0.6,
    });
    expect(body.max_tokens).toBeGreaterThanOrEqual(10);
    expect(body.max_tokens).toBeLessThanOrEqual(20);
    expect(body.messages).toHaveLength(1);
    const noModel = JSON.parse((await preparePrompts(wl({ ignoreEos: false }), null)).request(0).body);
    expect(noModel.model).toBeUndefined();
    expect(noModel.ignore_eos).toBeUndefined();
  });
});

describe('JSONL prompts', () => {
  it('reports every bad line with its number and keeps the good ones', () => {
    const r = parseJsonlPrompts(
      [
        '{"prompt": "a"}',
        '',
        '// a comment',
        '{"messages": [{"role": "user", "content": "b"}], "max_tokens": 9}',
        '[1,2]',
        '{"prompt": ""}',
        '{"prompt": "c", "max_tokens": -1}',
        '{oops',
      ].join('\n'),
    );
    expect(r.prompts).toHaveLength(2);
    expect(r.issues).toEqual([
      expect.stringMatching(/^line 5: /),
      expect.stringMatching(/^line 6: prompt: /),
      expect.stringMatching(/^line 7: max_tokens: /),
      expect.stringMatching(/^line 8: not JSON/),
    ]);
  });

  it('caps the issue list and says how many more there were', () => {
    const r = parseJsonlPrompts(Array.from({ length: 120 }, () => 'x').join('\n'));
    expect(r.issues).toHaveLength(50);
    expect(r.issues.at(-1)).toMatch(/and 70 more bad lines/);
  });

  it('cycles through the file, uses a line’s max_tokens, and joins chat messages for the completions API', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prompts-'));
    try {
      const path = join(dir, 'p.jsonl');
      await writeFile(
        path,
        '{"prompt": "one", "max_tokens": 3}\n{"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "two"}]}\n',
      );
      const set = await preparePrompts(wl({ prompt: { kind: 'jsonl', path }, outputTokens: { kind: 'fixed', value: 7 } }), 'm');
      expect(set.size).toBe(2);
      expect(JSON.parse(set.request(0).body)).toMatchObject({ prompt: 'one', max_tokens: 3 });
      expect(JSON.parse(set.request(1).body)).toMatchObject({ prompt: 'sys\ntwo', max_tokens: 7 });
      expect(JSON.parse(set.request(2).body).prompt).toBe('one');
      const chat = await preparePrompts(wl({ api: 'chat', prompt: { kind: 'jsonl', path } }), 'm');
      expect(JSON.parse(chat.request(1).body).messages).toHaveLength(2);
      await writeFile(path, 'nope\n');
      await expect(preparePrompts(wl({ prompt: { kind: 'jsonl', path } }), 'm')).rejects.toMatchObject({ kind: 'prompts_empty' });
      await expect(preparePrompts(wl({ prompt: { kind: 'jsonl', path: join(dir, 'missing.jsonl') } }), 'm')).rejects.toMatchObject({
        kind: 'prompts_unreadable',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
