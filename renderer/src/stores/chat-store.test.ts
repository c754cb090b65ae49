import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import type { ChatMessage, Conversation } from '../contract';
import { DEFAULT_SETTINGS, shownMessage, streamingIds, useChatStore, wireChatStore } from './chat-store';

const flush = () => new Promise((r) => setTimeout(r, 0));

const msg = (id: string, role: 'user' | 'assistant', patch: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  role,
  content: role === 'user' ? 'hi' : '',
  reasoning: '',
  createdAt: 1,
  status: role === 'user' ? 'done' : 'streaming',
  ...patch,
});
const conv = (messages: ChatMessage[], id = 'c-1'): Conversation => ({
  version: 1,
  id,
  title: 'hi',
  createdAt: 1,
  updatedAt: 1,
  settings: DEFAULT_SETTINGS,
  messages,
  target: null,
  warnedNoParser: false,
});

let t: FakeTransport;
const initial = useChatStore.getState();
beforeEach(() => {
  useChatStore.setState(initial, true);
  t = new FakeTransport();
  setTransport(t);
});

describe('chat store', () => {
  it('send: invokes chat:send with the composer settings, clears the draft, opens the conversation', async () => {
    let stored = conv([msg('m-u', 'user'), msg('m-a', 'assistant')]);
    t.handle('chat:send', () => ({ ok: true, value: { conversationId: 'c-1', userMessageId: 'm-u', assistantMessageIds: ['m-a'] } }));
    t.handle('chat:get', () => ({ ok: true, value: stored }));
    const s = useChatStore.getState();
    s.setDraft('hi');
    s.setMode('no_think');
    s.setSampling({ temperature: 0.2 });
    await s.send();
    expect(t.calls[0]).toMatchObject({ channel: 'chat:send', arg: { action: 'send', content: 'hi', settings: { mode: 'no_think' } } });
    expect((t.calls[0]!.arg as { settings: typeof DEFAULT_SETTINGS }).settings.sampling.no_think.temperature).toBe(0.2);
    // The think lane's sampling was not touched.
    expect((t.calls[0]!.arg as { settings: typeof DEFAULT_SETTINGS }).settings.sampling.think.temperature).toBe(0.6);
    expect(useChatStore.getState().draft).toBe('');
    expect(streamingIds(useChatStore.getState().current)).toEqual(['m-a']);

    // Deltas accumulate; done replaces the placeholder with the final message.
    const st = useChatStore.getState();
    st.applyEvent({ type: 'delta', conversationId: 'c-1', messageId: 'm-a', reasoning: 'Hmm', answer: '' });
    st.applyEvent({ type: 'delta', conversationId: 'c-1', messageId: 'm-a', reasoning: '.', answer: '\n\nYes' });
    const cur = useChatStore.getState();
    expect(shownMessage(cur.current!.messages[1]!, cur.live['m-a'])).toMatchObject({ reasoning: 'Hmm.', content: 'Yes' });
    const final = msg('m-a', 'assistant', { status: 'done', content: 'Yes.', reasoning: 'Hmm.' });
    st.applyEvent({ type: 'done', conversationId: 'c-1', message: final, warning: 'no parser' });
    expect(useChatStore.getState().current!.messages[1]).toEqual(final);
    expect(useChatStore.getState().live['m-a']).toBeUndefined();
    expect(useChatStore.getState().warning).toBe('no parser');
    stored = conv([msg('m-u', 'user'), final]);
  });

  it('a reply that ends before its conversation loads is applied when it does', async () => {
    const final = msg('m-a', 'assistant', { status: 'done', content: 'Fast.' });
    useChatStore.getState().applyEvent({ type: 'done', conversationId: 'c-1', message: final });
    t.handle('chat:get', () => ({ ok: true, value: conv([msg('m-u', 'user'), msg('m-a', 'assistant')]) }));
    await useChatStore.getState().open('c-1');
    expect(useChatStore.getState().current!.messages[1]).toEqual(final);
    expect(useChatStore.getState().finals).toEqual({});
  });

  it('side-by-side mode sends chat:compare; edit mode sends action edit; retry sends no content', async () => {
    t.handle('chat:compare', () => ({
      ok: true,
      value: { conversationId: 'c-1', userMessageId: 'm-u', assistantMessageIds: ['m-1', 'm-2'] },
    }));
    t.handle('chat:send', () => ({ ok: true, value: { conversationId: 'c-1', userMessageId: 'm-u', assistantMessageIds: ['m-3'] } }));
    t.handle('chat:get', () => ({
      ok: true,
      value: conv([msg('m-u', 'user', { content: 'q' }), msg('m-3', 'assistant', { status: 'done', content: 'a' })]),
    }));
    const s = useChatStore.getState();
    s.setCompare(true);
    s.setDraft('q');
    await s.send();
    expect(t.calls.map((c) => c.channel)).toEqual(['chat:compare', 'chat:get']);
    s.setCompare(false);
    useChatStore.getState().editLast();
    expect(useChatStore.getState()).toMatchObject({ draft: 'q', editing: true });
    useChatStore.getState().setDraft('q2');
    await useChatStore.getState().send();
    expect(t.calls[2]).toMatchObject({ channel: 'chat:send', arg: { action: 'edit', content: 'q2', conversationId: 'c-1' } });
    expect(useChatStore.getState().editing).toBe(false);
    await useChatStore.getState().retry();
    expect(t.calls[4]).toMatchObject({ channel: 'chat:send', arg: { action: 'retry', content: '' } });
  });

  it('errors stay visible; an empty draft sends nothing', async () => {
    t.handle('chat:send', () => ({ ok: false, error: { kind: 'server_not_ready', message: 'No server is running.', remedies: [] } }));
    await useChatStore.getState().send();
    expect(t.calls).toHaveLength(0);
    useChatStore.getState().setDraft('x');
    await useChatStore.getState().send();
    expect(useChatStore.getState().error?.kind).toBe('server_not_ready');
    expect(useChatStore.getState().draft).toBe('x');
  });

  it('list: saved events upsert newest first, deleted events remove (and close the open one)', () => {
    const s = useChatStore.getState();
    const sum = (id: string, updatedAt: number) => ({ id, title: id, createdAt: 0, updatedAt, messageCount: 2, preview: '' });
    s.applyEvent({ type: 'saved', summary: sum('c-a', 1) });
    s.applyEvent({ type: 'saved', summary: sum('c-b', 2) });
    s.applyEvent({ type: 'saved', summary: sum('c-a', 3) });
    expect(useChatStore.getState().list.map((x) => x.id)).toEqual(['c-a', 'c-b']);
    useChatStore.setState({ current: conv([], 'c-a') });
    s.applyEvent({ type: 'deleted', id: 'c-a' });
    expect(useChatStore.getState().list.map((x) => x.id)).toEqual(['c-b']);
    expect(useChatStore.getState().current).toBeNull();
  });

  it('wireChatStore loads list and target on open and feeds chat events', async () => {
    t.handle('chat:list', () => ({ ok: true, value: { items: [], problems: ['c-x.json was unreadable'] } }));
    t.handle('chat:settings', () => ({
      ok: true,
      value: {
        kind: 'launched',
        customUrl: '',
        model: null,
        hasKey: false,
        keyStorage: 'session-memory',
        keyStorageNote: 'memory',
        launched: { url: null, ready: false, status: 'idle' },
        effectiveUrl: '',
      },
    }));
    const off = wireChatStore(t);
    await flush();
    expect(useChatStore.getState().target?.kind).toBe('launched');
    expect(useChatStore.getState().listProblems).toEqual(['c-x.json was unreadable']);
    t.emit('chat', { type: 'delta', conversationId: 'c-1', messageId: 'm-9', reasoning: '', answer: 'x' });
    expect(useChatStore.getState().live['m-9']?.answer).toBe('x');
    off();
    expect(t.listenerCount('chat')).toBe(0);
  });
});
