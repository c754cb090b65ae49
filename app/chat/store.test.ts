import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatSettings, type Conversation } from '../contract/index';
import { exportFilename, toJson, toMarkdown } from './export';
import { ChatStore, matches } from './store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-chats-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function conv(id: string, title: string, updatedAt: number, text = 'hello'): Conversation {
  return {
    version: 1,
    id,
    title,
    createdAt: updatedAt,
    updatedAt,
    settings: ChatSettings.parse({}),
    messages: [
      { id: `${id}-u`, role: 'user', content: text, reasoning: '', createdAt: updatedAt, status: 'done' },
      {
        id: `${id}-a`,
        role: 'assistant',
        content: 'The answer is **4**.',
        reasoning: 'Two plus two.',
        createdAt: updatedAt,
        mode: 'think',
        status: 'done',
        stats: {
          model: 'nemo',
          ttftMs: 100,
          ttfaMs: 400,
          totalMs: 900,
          tokensPerSecond: 50,
          promptTokens: 10,
          completionTokens: 20,
          reasoningTokens: 5,
          answerTokens: 15,
          reasoningTokensSource: 'tokenize',
          finishReason: 'stop',
          split: 'client',
          budget: null,
        },
      },
    ],
    target: null,
    warnedNoParser: false,
  };
}

describe('ChatStore', () => {
  it('writes one validated JSON file per conversation, lists newest first, searches, deletes', async () => {
    const s = new ChatStore(dir);
    await s.put(conv('c-1', 'Kangaroos', 1000, 'tell me about kangaroos'));
    await s.put(conv('c-2', 'Wombats', 2000, 'and WOMBATS please'));
    expect((await readdir(dir)).sort()).toEqual(['c-1.json', 'c-2.json']);
    const onDisk = JSON.parse(await readFile(join(dir, 'c-1.json'), 'utf8'));
    expect(onDisk.title).toBe('Kangaroos');

    // A fresh store (panel restart) reads them back from disk.
    const s2 = new ChatStore(dir);
    const all = await s2.list();
    expect(all.items.map((i) => i.id)).toEqual(['c-2', 'c-1']);
    expect(all.items[0]).toMatchObject({ title: 'Wombats', messageCount: 2, preview: 'The answer is **4**.' });
    expect(all.problems).toEqual([]);
    expect((await s2.list('wombats')).items.map((i) => i.id)).toEqual(['c-2']);
    expect((await s2.list('KANGAROOS tell')).items.map((i) => i.id)).toEqual(['c-1']);
    expect((await s2.list('two plus')).items).toHaveLength(2); // reasoning is searchable too
    expect((await s2.list('platypus')).items).toEqual([]);

    await s2.delete('c-1');
    expect(await readdir(dir)).toEqual(['c-2.json']);
    await expect(s2.get('c-1')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('a corrupt file is moved aside, reported once, and the others still load', async () => {
    const s = new ChatStore(dir, () => Date.UTC(2026, 0, 2, 3, 4, 5));
    await s.put(conv('c-good', 'Fine', 1000));
    await writeFile(join(dir, 'c-bad.json'), '{"version": 1, "id": "c-bad", "title": 42');
    await writeFile(join(dir, 'c-wrong.json'), JSON.stringify({ ...conv('c-wrong', 'x', 1), messages: 'nope' }));
    const fresh = new ChatStore(dir, () => Date.UTC(2026, 0, 2, 3, 4, 5));
    const r = await fresh.list();
    expect(r.items.map((i) => i.id)).toEqual(['c-good']);
    expect(r.problems).toHaveLength(2);
    expect(r.problems.join('\n')).toMatch(/c-bad\.json was unreadable: not valid JSON/);
    expect(r.problems.join('\n')).toMatch(/c-wrong\.json was unreadable: messages/);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['c-bad.json.corrupt-2026-01-02T03-04-05-000Z', 'c-good.json', 'c-wrong.json.corrupt-2026-01-02T03-04-05-000Z']);
    // Reported once, not on every list.
    expect((await fresh.list()).problems).toEqual([]);
  });

  it('queued updates never lose each other (two replies finishing at once)', async () => {
    const s = new ChatStore(dir);
    await s.put(conv('c-1', 'T', 1));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.update('c-1', (c) => {
          c.messages.push({ id: `m-${i}`, role: 'user', content: String(i), reasoning: '', createdAt: i, status: 'done' });
          return c;
        }),
      ),
    );
    const back = await new ChatStore(dir).get('c-1');
    expect(back.messages.map((m) => m.id)).toEqual(['c-1-u', 'c-1-a', ...Array.from({ length: 10 }, (_, i) => `m-${i}`)]);
  });

  it('refuses ids that could escape the folder, and invalid content', async () => {
    const s = new ChatStore(dir);
    await expect(s.get('../etc/passwd')).rejects.toMatchObject({ kind: 'invalid_argument' });
    await expect(s.put({ ...conv('c-1', 'T', 1), id: '../x' })).rejects.toThrow();
    await expect(s.put({ ...conv('c-1', 'T', 1), title: 'x'.repeat(500) })).rejects.toThrow();
  });

  it('search matches every word, case-insensitively', () => {
    const c = conv('c-1', 'GPU memory', 1, 'How much KV cache?');
    expect(matches(c, 'kv gpu')).toBe(true);
    expect(matches(c, 'kv tpu')).toBe(false);
    expect(matches(c, '  ')).toBe(true);
  });
});

describe('export', () => {
  it('Markdown: title, turns, a Thinking <details> block and the stats line', () => {
    const c = conv('c-1', 'Two plus two?', 1000, 'What is 2+2?');
    c.settings.systemPrompt = 'Be terse ``` even with fences';
    const md = toMarkdown(c, Date.UTC(2026, 0, 1));
    expect(md).toBe(
      [
        '# Two plus two?',
        '',
        '_Exported from vLLM Panel on 2026-01-01T00:00:00.000Z_',
        '',
        '**System prompt**',
        '',
        '````text',
        'Be terse ``` even with fences',
        '````',
        '',
        '## User',
        '',
        'What is 2+2?',
        '',
        '## Assistant (/think · nemo)',
        '',
        '<details><summary>Thinking</summary>',
        '',
        'Two plus two.',
        '',
        '</details>',
        '',
        'The answer is **4**.',
        '',
        '_TTFT 100 ms · answer after 400 ms · total 900 ms · 50 tok/s · prompt 10 · reasoning 5 · answer 15 · finish stop_',
        '',
      ].join('\n'),
    );
  });

  it('JSON is the stored conversation; file names are safe', () => {
    const c = conv('c-1', '../../etc/passwd: *what*?', 1);
    expect(JSON.parse(toJson(c))).toEqual(c);
    expect(exportFilename(c, 'md')).toBe('etcpasswd-what-c-1.md');
    expect(exportFilename({ ...c, title: '!!!' }, 'json')).toBe('conversation-c-1.json');
  });
});
