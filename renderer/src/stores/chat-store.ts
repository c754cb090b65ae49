import { create } from 'zustand';
import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import {
  type ChatEvent,
  type ChatMessage,
  ChatSettings,
  type ChatTargetInfo,
  type Conversation,
  type ConversationSummary,
  type Sampling,
  type ThinkMode,
  type UserError,
} from '../contract';
import { useAppStore } from './app-store';

/** Text streamed so far for a reply that has not ended (keyed by message id). */
export interface LiveReply {
  reasoning: string;
  answer: string;
  notes: string[];
}

export interface CurlView {
  command: string;
  redacted: boolean;
  url: string;
  source: { kind: 'message'; conversationId: string; messageId: string } | { kind: 'draft' };
}

/** Recommended sampling per mode (nemotron.md §3), the contract's defaults. */
export const DEFAULT_SETTINGS: ChatSettings = ChatSettings.parse({});

interface ChatState {
  list: ConversationSummary[];
  query: string;
  listProblems: string[];
  current: Conversation | null;
  /** Composer */
  draft: string;
  /** Set while the composer edits the last user message (Send then replaces it). */
  editing: boolean;
  settings: ChatSettings;
  compare: boolean;
  live: Record<string, LiveReply>;
  /** Replies that ended before their conversation was (re)loaded. */
  finals: Record<string, ChatMessage>;
  target: ChatTargetInfo | null;
  models: string[];
  /** "No reasoning parser" warning of the open conversation. */
  warning: string | null;
  error: UserError | null;
  sending: boolean;
  curl: CurlView | null;
  /** Actions */
  loadList(query?: string): Promise<void>;
  open(id: string): Promise<void>;
  newChat(): void;
  setDraft(text: string): void;
  send(): Promise<void>;
  retry(): Promise<void>;
  editLast(): void;
  cancelEdit(): void;
  stop(): Promise<void>;
  remove(id: string): Promise<void>;
  exportAs(id: string, format: 'markdown' | 'json'): Promise<{ filename: string; mime: string; content: string } | null>;
  setMode(mode: ThinkMode): void;
  setSampling(patch: Partial<Sampling>): void;
  resetSampling(): void;
  setSystemPrompt(text: string): void;
  setBudget(patch: Partial<ChatSettings['budget']>): void;
  setCompare(on: boolean): void;
  loadTarget(): Promise<void>;
  loadModels(): Promise<void>;
  configureTarget(patch: {
    kind?: 'launched' | 'custom';
    customUrl?: string;
    model?: string | null;
    apiKey?: string | null;
  }): Promise<boolean>;
  showCurl(source: CurlView['source'], revealKey?: boolean): Promise<void>;
  closeCurl(): void;
  clearError(): void;
  dismissWarning(): void;
  applyEvent(e: ChatEvent): void;
}

const quiet = (e: UserError) => e.kind === 'disconnected' || e.kind === 'closed';

/** Messages currently streaming in a conversation. */
export const streamingIds = (c: Conversation | null): string[] =>
  c ? c.messages.filter((m) => m.status === 'streaming').map((m) => m.id) : [];

/** The message as the UI shows it: stored text, or what has streamed so far. */
export function shownMessage(m: ChatMessage, live: LiveReply | undefined): ChatMessage & { notes: string[] } {
  if (m.status !== 'streaming' || !live) return { ...m, notes: [] };
  return {
    ...m,
    reasoning: live.reasoning.trim() ? live.reasoning.replace(/^\s+/, '') : '',
    content: live.answer.replace(/^\s+/, ''),
    notes: live.notes,
  };
}

function upsertSummary(list: ConversationSummary[], s: ConversationSummary): ConversationSummary[] {
  return [s, ...list.filter((x) => x.id !== s.id)].sort((a, b) => b.updatedAt - a.updatedAt);
}

export const useChatStore = create<ChatState>()((set, get) => {
  const t = () => getTransport();

  function fail(e: UserError) {
    if (!quiet(e)) set({ error: e });
  }

  async function submit(kind: 'send' | 'compare' | 'retry' | 'edit') {
    const s = get();
    if (s.sending) return;
    const content = s.draft;
    if ((kind === 'send' || kind === 'compare' || kind === 'edit') && !content.trim()) return;
    set({ sending: true, error: null });
    const conversationId = s.current?.id;
    const r =
      kind === 'compare'
        ? await t().invoke('chat:compare', { ...(conversationId ? { conversationId } : {}), content, settings: s.settings })
        : await t().invoke('chat:send', {
            ...(conversationId ? { conversationId } : {}),
            action: kind,
            content: kind === 'retry' ? '' : content,
            settings: s.settings,
          });
    set({ sending: false });
    if (!r.ok) {
      fail(r.error);
      return;
    }
    if (kind !== 'retry') set({ draft: '', editing: false });
    for (const id of r.value.assistantMessageIds) {
      if (!get().live[id]) set({ live: { ...get().live, [id]: { reasoning: '', answer: '', notes: [] } } });
    }
    await get().open(r.value.conversationId);
  }

  return {
    list: [],
    query: '',
    listProblems: [],
    current: null,
    draft: '',
    editing: false,
    settings: DEFAULT_SETTINGS,
    compare: false,
    live: {},
    finals: {},
    target: null,
    models: [],
    warning: null,
    error: null,
    sending: false,
    curl: null,

    async loadList(query) {
      const q = query ?? get().query;
      set({ query: q });
      const r = await t().invoke('chat:list', q.trim() ? { query: q.trim() } : {});
      if (!r.ok) return fail(r.error);
      // A slower answer to an older query must not overwrite a newer one.
      if (get().query !== q) return;
      set({ list: r.value.items, listProblems: r.value.problems });
      for (const p of r.value.problems) useAppStore.getState().pushNotice({ level: 'warning', message: p, source: 'ui' });
    },

    async open(id) {
      const r = await t().invoke('chat:get', { id });
      if (!r.ok) return fail(r.error);
      const c = r.value;
      const finals = { ...get().finals };
      const messages = c.messages.map((m) => {
        const f = m.status === 'streaming' ? finals[m.id] : undefined;
        if (f) delete finals[m.id];
        return f ?? m;
      });
      const switching = get().current?.id !== c.id;
      set({
        current: { ...c, messages },
        finals,
        settings: c.settings,
        ...(switching ? { warning: null, editing: false } : {}),
      });
    },

    newChat() {
      set({ current: null, draft: '', editing: false, warning: null, error: null, settings: { ...get().settings } });
    },

    setDraft(text) {
      set({ draft: text });
    },

    send() {
      const s = get();
      if (s.editing) return submit('edit');
      return submit(s.compare ? 'compare' : 'send');
    },

    retry() {
      return submit('retry');
    },

    editLast() {
      const c = get().current;
      if (!c || streamingIds(c).length > 0) return;
      const last = [...c.messages].reverse().find((m) => m.role === 'user');
      if (!last) return;
      set({ draft: last.content, editing: true });
    },

    cancelEdit() {
      set({ draft: '', editing: false });
    },

    async stop() {
      const c = get().current;
      if (!c) return;
      const r = await t().invoke('chat:abort', { conversationId: c.id });
      if (!r.ok) fail(r.error);
    },

    async remove(id) {
      const r = await t().invoke('chat:delete', { id });
      if (!r.ok) return fail(r.error);
      set({ list: get().list.filter((x) => x.id !== id), ...(get().current?.id === id ? { current: null, warning: null } : {}) });
    },

    async exportAs(id, format) {
      const r = await t().invoke('chat:export', { id, format });
      if (!r.ok) {
        fail(r.error);
        return null;
      }
      return r.value;
    },

    setMode(mode) {
      set({ settings: { ...get().settings, mode } });
    },

    setSampling(patch) {
      const s = get().settings;
      set({ settings: { ...s, sampling: { ...s.sampling, [s.mode]: { ...s.sampling[s.mode], ...patch } } } });
    },

    resetSampling() {
      const s = get().settings;
      set({ settings: { ...s, sampling: { ...s.sampling, [s.mode]: DEFAULT_SETTINGS.sampling[s.mode] } } });
    },

    setSystemPrompt(text) {
      set({ settings: { ...get().settings, systemPrompt: text } });
    },

    setBudget(patch) {
      const s = get().settings;
      set({ settings: { ...s, budget: { ...s.budget, ...patch } } });
    },

    setCompare(on) {
      set({ compare: on, editing: on ? false : get().editing });
    },

    async loadTarget() {
      const r = await t().invoke('chat:settings');
      if (r.ok) set({ target: r.value });
      else fail(r.error);
    },

    async loadModels() {
      const r = await t().invoke('chat:models');
      set({ models: r.ok ? r.value.models.map((m) => m.id) : [] });
    },

    async configureTarget(patch) {
      // The radio follows the click at once; the core's answer confirms (or reverts) it.
      const before = get().target;
      if (patch.kind && before) set({ target: { ...before, kind: patch.kind } });
      const r = await t().invoke('chat:configure', patch);
      if (!r.ok && before) set({ target: before });
      if (!r.ok) {
        fail(r.error);
        return false;
      }
      set({ target: r.value, error: null });
      return true;
    },

    async showCurl(source, revealKey = false) {
      const s = get();
      const r = await t().invoke('chat:curl', {
        source:
          source.kind === 'message'
            ? source
            : { kind: 'draft', ...(s.current ? { conversationId: s.current.id } : {}), content: s.draft, settings: s.settings },
        revealKey,
      });
      if (!r.ok) return fail(r.error);
      set({ curl: { ...r.value, source } });
    },

    closeCurl() {
      set({ curl: null });
    },

    clearError() {
      set({ error: null });
    },

    dismissWarning() {
      set({ warning: null });
    },

    applyEvent(e) {
      const s = get();
      switch (e.type) {
        case 'delta': {
          const cur = s.live[e.messageId] ?? { reasoning: '', answer: '', notes: [] };
          set({ live: { ...s.live, [e.messageId]: { ...cur, reasoning: cur.reasoning + e.reasoning, answer: cur.answer + e.answer } } });
          return;
        }
        case 'status': {
          const cur = s.live[e.messageId] ?? { reasoning: '', answer: '', notes: [] };
          set({ live: { ...s.live, [e.messageId]: { ...cur, notes: [...cur.notes, e.note] } } });
          return;
        }
        case 'done': {
          const live = { ...s.live };
          delete live[e.message.id];
          const c = s.current;
          const inCurrent = c?.id === e.conversationId && c.messages.some((m) => m.id === e.message.id);
          if (inCurrent && c) {
            set({
              live,
              current: { ...c, messages: c.messages.map((m) => (m.id === e.message.id ? e.message : m)) },
              ...(e.warning ? { warning: e.warning } : {}),
            });
          } else {
            set({
              live,
              finals: { ...s.finals, [e.message.id]: e.message },
              ...(e.warning && (!c || c.id === e.conversationId) ? { warning: e.warning } : {}),
            });
          }
          return;
        }
        case 'saved':
          if (s.query.trim()) void get().loadList();
          else set({ list: upsertSummary(s.list, e.summary) });
          return;
        case 'deleted':
          set({ list: s.list.filter((x) => x.id !== e.id), ...(s.current?.id === e.id ? { current: null } : {}) });
          return;
      }
    },
  };
});

/** Chat events in, list + target loaded on every (re)connect. */
export function wireChatStore(transport: Transport): Unsubscribe {
  const offs = [transport.on('chat', (e) => useChatStore.getState().applyEvent(e))];
  const sync = () => {
    void useChatStore.getState().loadList();
    void useChatStore.getState().loadTarget();
  };
  let wasOpen = transport.status.status === 'open';
  offs.push(
    transport.onStatus((st) => {
      const open = st.status === 'open';
      if (open && !wasOpen) sync();
      wasOpen = open;
    }),
  );
  if (wasOpen) sync();
  return () => {
    for (const off of offs) off();
  };
}
