// The chat contract through a real core with a scripted OpenAI-compatible server (fetch fake):
// target settings and the key store, send / retry / edit, busy conversations, curl, export,
// delete, corrupt files. The simulator-backed integration test is chat-sim.test.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatEvent, ChatSettings, type EventMessage } from '../contract/index';
import type { Core } from '../host/core';
import type { SecretStore } from '../host/deps';
import { makeTestCore } from '../test-support/core';

const settings = ChatSettings.parse({});

/** An OpenAI-compatible server in a function: /v1/models, and streamed replies that echo the last user message. */
function fakeServer(opts: { delayMs?: number; key?: string } = {}) {
  const bodies: Record<string, unknown>[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const auth = new Headers(init?.headers).get('authorization');
    if (opts.key && url.pathname.startsWith('/v1') && auth !== `Bearer ${opts.key}`)
      return Response.json({ error: 'Unauthorized' }, { status: 401 });
    if (url.pathname === '/v1/models') return Response.json({ object: 'list', data: [{ id: 'fake-model', max_model_len: 4096 }] });
    if (url.pathname === '/tokenize') {
      const b = JSON.parse(String(init?.body)) as { prompt: string };
      return Response.json({ count: b.prompt.split(/\s+/).filter(Boolean).length, tokens: [] });
    }
    if (url.pathname === '/v1/chat/completions') {
      const body = JSON.parse(String(init?.body)) as { messages: { role: string; content: string }[] };
      bodies.push(body);
      const last = body.messages.filter((m) => m.role === 'user').pop()!.content;
      const think = body.messages[0]!.content.startsWith('/think') && !last.includes('/no_think');
      const parts = [...(think ? ['Thinking about it.', '</think>\n\n'] : []), `You said: ${last}`];
      const enc = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async start(c) {
          // Like undici: aborting the request errors the body being read.
          init?.signal?.addEventListener('abort', () => c.error(new DOMException('This operation was aborted', 'AbortError')));
          for (const p of parts) {
            if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
            if (init?.signal?.aborted) return;
            c.enqueue(
              enc.encode(
                `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`,
              ),
            );
          }
          c.enqueue(
            enc.encode(
              `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
            ),
          );
          c.enqueue(
            enc.encode(
              `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [], usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 } })}\n\n`,
            ),
          );
          c.enqueue(enc.encode('data: [DONE]\n\n'));
          c.close();
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    }
    return Response.json({ detail: 'Not Found' }, { status: 404 });
  }) as typeof fetch;
  return { fetchFn, bodies };
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function setup(fetchFn: typeof fetch, extra: { secrets?: SecretStore } = {}) {
  const t = await makeTestCore({ fetch: fetchFn, ...extra });
  cleanups.push(t.cleanup);
  const events: EventMessage[] = [];
  t.core.subscribe((e) => events.push(e));
  const chat = () => events.filter((e): e is Extract<EventMessage, { channel: 'chat' }> => e.channel === 'chat').map((e) => e.payload);
  const waitDone = async (id: string) => {
    for (let i = 0; i < 400; i++) {
      const d = chat().find((e): e is Extract<ChatEvent, { type: 'done' }> => e.type === 'done' && e.message.id === id);
      if (d) return d;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no done for ${id}`);
  };
  return { ...t, events, chat, waitDone };
}

async function ok<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function custom(core: Core, url = 'http://fake.test') {
  return ok(core.invoke('chat:configure', { kind: 'custom', customUrl: url }));
}

describe('chat target and API key', () => {
  it('defaults to the launched server and says when none is running', async () => {
    const { core } = await setup(fakeServer().fetchFn);
    const info = await ok(core.invoke('chat:settings', undefined));
    expect(info).toMatchObject({
      kind: 'launched',
      customUrl: '',
      hasKey: false,
      keyStorage: 'session-memory',
      launched: { url: null, ready: false },
      effectiveUrl: '',
    });
    expect(info.keyStorageNote).toMatch(/memory for this session only/);
    const r = await core.invoke('chat:send', { content: 'hi', settings });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('server_not_ready');
      expect(r.error.remedies.map((x) => x.label)).toContain('Use a custom OpenAI-compatible URL');
    }
  });

  it('a custom URL + key: the key goes to the secret store, never into chat.json; requests carry it', async () => {
    const stored = new Map<string, string>();
    const keychain: SecretStore = {
      kind: 'os-keychain',
      get: async (n) => stored.get(n),
      set: async (n, v) => void stored.set(n, v),
      delete: async (n) => void stored.delete(n),
    };
    const server = fakeServer({ key: 'sk-abc' });
    const { core, dir, waitDone } = await setup(server.fetchFn, { secrets: keychain });
    const info = await ok(core.invoke('chat:configure', { kind: 'custom', customUrl: 'http://fake.test/v1/', apiKey: 'sk-abc' }));
    expect(info).toMatchObject({
      kind: 'custom',
      customUrl: 'http://fake.test',
      hasKey: true,
      keyStorage: 'os-keychain',
      effectiveUrl: 'http://fake.test',
    });
    expect([...stored.values()]).toEqual(['sk-abc']);
    const file = await readFile(join(dir, 'config', 'chat.json'), 'utf8');
    expect(file).not.toContain('sk-abc');
    expect(JSON.parse(file)).toEqual({ kind: 'custom', customUrl: 'http://fake.test', model: null });

    const sent = await ok(core.invoke('chat:send', { content: 'hello', settings }));
    const done = await waitDone(sent.assistantMessageIds[0]!);
    expect(done.message).toMatchObject({ status: 'done', content: 'You said: hello', reasoning: 'Thinking about it.' });
    expect(done.message.request?.auth).toBe(true);
    expect(JSON.stringify(done.message)).not.toContain('sk-abc');

    // Forgetting the key: the server refuses, and the error says what to do.
    await ok(core.invoke('chat:configure', { apiKey: null }));
    expect(stored.size).toBe(0);
    const r = await core.invoke('chat:send', { content: 'again', settings });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('unauthorized');
  });

  it('validates what the user types: URL scheme, control characters in the key', async () => {
    const { core } = await setup(fakeServer().fetchFn);
    expect((await core.invoke('chat:configure', { customUrl: 'file:///etc/passwd' })).ok).toBe(false);
    expect((await core.invoke('chat:configure', { apiKey: 'abc\r\nX-Evil: 1' })).ok).toBe(false);
    expect((await core.invoke('chat:configure', { customUrl: 'https://api.example.com' })).ok).toBe(true);
  });
});

describe('conversations', () => {
  it('send, retry and edit the last message; history holds answers only', async () => {
    const server = fakeServer();
    const { core, waitDone } = await setup(server.fetchFn);
    await custom(core);
    const a = await ok(core.invoke('chat:send', { content: 'first', settings }));
    await waitDone(a.assistantMessageIds[0]!);
    const b = await ok(core.invoke('chat:send', { conversationId: a.conversationId, content: 'second', settings }));
    await waitDone(b.assistantMessageIds[0]!);

    const r = await ok(core.invoke('chat:send', { conversationId: a.conversationId, action: 'retry', settings }));
    expect(r.userMessageId).toBe(b.userMessageId);
    await waitDone(r.assistantMessageIds[0]!);
    const e = await ok(core.invoke('chat:send', { conversationId: a.conversationId, action: 'edit', content: 'second, edited', settings }));
    const done = await waitDone(e.assistantMessageIds[0]!);
    expect(done.message.content).toBe('You said: second, edited');
    expect(server.bodies.at(-1)!.messages).toEqual([
      { role: 'system', content: '/think' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'You said: first' },
      { role: 'user', content: 'second, edited' },
    ]);
    const c = await ok(core.invoke('chat:get', { id: a.conversationId }));
    expect(c.messages.map((m) => `${m.role}:${m.content}`)).toEqual([
      'user:first',
      'assistant:You said: first',
      'user:second, edited',
      'assistant:You said: second, edited',
    ]);
    expect(c.title).toBe('first');
    expect(c.target).toEqual({ kind: 'custom', url: 'http://fake.test', model: 'fake-model' });
  });

  it('one reply at a time per conversation; Stop ends it as "aborted"', async () => {
    const { core, waitDone } = await setup(fakeServer({ delayMs: 300 }).fetchFn);
    await custom(core);
    const a = await ok(core.invoke('chat:send', { content: 'slow', settings }));
    const busy = await core.invoke('chat:send', { conversationId: a.conversationId, content: 'again', settings });
    expect(busy.ok).toBe(false);
    if (!busy.ok) expect(busy.error.kind).toBe('busy');
    expect(await ok(core.invoke('chat:abort', { conversationId: a.conversationId }))).toEqual({ aborted: 1 });
    const d = await waitDone(a.assistantMessageIds[0]!);
    expect(d.message.status).toBe('aborted');
    expect((await ok(core.invoke('chat:get', { id: a.conversationId }))).messages[1]!.status).toBe('aborted');
  });

  it('copy as curl: a draft is the request send would make; a reply gives its recorded request', async () => {
    const { core, waitDone } = await setup(fakeServer().fetchFn);
    await ok(core.invoke('chat:configure', { kind: 'custom', customUrl: 'http://fake.test', apiKey: 'sk-xyz' }));
    const draft = await ok(core.invoke('chat:curl', { source: { kind: 'draft', content: "it's me", settings } }));
    expect(draft.redacted).toBe(true);
    expect(draft.command).not.toContain('sk-xyz');
    expect(draft.command).toContain(`'http://fake.test/v1/chat/completions'`);
    expect(draft.command).toContain(`"content":"it'\\''s me"`);
    const shown = await ok(core.invoke('chat:curl', { source: { kind: 'draft', content: 'x', settings }, revealKey: true }));
    expect(shown.command).toContain('Authorization: Bearer sk-xyz');

    const a = await ok(core.invoke('chat:send', { content: 'hi', settings }));
    const d = await waitDone(a.assistantMessageIds[0]!);
    const fromReply = await ok(
      core.invoke('chat:curl', { source: { kind: 'message', conversationId: a.conversationId, messageId: d.message.id } }),
    );
    expect(fromReply.command).toContain(JSON.stringify(d.message.request!.body));
  });

  it('list with search, export as Markdown and JSON, delete', async () => {
    const { core, waitDone, chat } = await setup(fakeServer().fetchFn);
    await custom(core);
    const a = await ok(core.invoke('chat:send', { content: 'about kangaroos', settings }));
    await waitDone(a.assistantMessageIds[0]!);
    const b = await ok(core.invoke('chat:send', { content: 'about wombats', settings: { ...settings, mode: 'no_think' } }));
    await waitDone(b.assistantMessageIds[0]!);
    expect((await ok(core.invoke('chat:list', undefined))).items.map((i) => i.id)).toEqual([b.conversationId, a.conversationId]);
    expect((await ok(core.invoke('chat:list', { query: 'kangaroo' }))).items.map((i) => i.id)).toEqual([a.conversationId]);
    const md = await ok(core.invoke('chat:export', { id: a.conversationId, format: 'markdown' }));
    expect(md.mime).toBe('text/markdown');
    expect(md.filename).toBe(`about-kangaroos-${a.conversationId}.md`);
    expect(md.content).toContain('<details><summary>Thinking</summary>');
    expect(md.content).toContain('You said: about kangaroos');
    const json = await ok(core.invoke('chat:export', { id: b.conversationId, format: 'json' }));
    expect(JSON.parse(json.content).messages[1].content).toBe('You said: about wombats');
    await ok(core.invoke('chat:delete', { id: a.conversationId }));
    expect((await ok(core.invoke('chat:list', undefined))).items.map((i) => i.id)).toEqual([b.conversationId]);
    expect(chat().some((e) => e.type === 'deleted' && e.id === a.conversationId)).toBe(true);
    expect(chat().filter((e) => e.type === 'saved').length).toBeGreaterThanOrEqual(4);
  });

  it('a corrupt conversation file is kept aside and reported (list result and a notice)', async () => {
    const { core, dir, events } = await setup(fakeServer().fetchFn);
    const chats = join(dir, 'data', 'chats');
    await import('node:fs/promises').then((fs) => fs.mkdir(chats, { recursive: true }));
    await writeFile(join(chats, 'c-broken.json'), '{not json');
    const r = await ok(core.invoke('chat:list', undefined));
    expect(r.items).toEqual([]);
    expect(r.problems[0]).toMatch(/c-broken\.json was unreadable/);
    expect(events.some((e) => e.channel === 'notice' && /c-broken\.json/.test(e.payload.message))).toBe(true);
  });

  it('bounds what it accepts: message size, ids', async () => {
    const { core } = await setup(fakeServer().fetchFn);
    await custom(core);
    expect((await core.invoke('chat:send', { content: 'x'.repeat(200_001), settings })).ok).toBe(false);
    expect((await core.invoke('chat:get', { id: '../../x' })).ok).toBe(false);
  });
});
