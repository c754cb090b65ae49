// The chat module's long-lived part: where requests go (the launched server or a custom URL +
// key), the replies streaming now (abortable), batched deltas pushed as `chat` events, and the
// conversations on disk. One ChatService per core.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { z } from 'zod';
import {
  CHAT_LIMITS,
  type ChatMessage,
  type ChatSendResult,
  type ChatSettings,
  type ChatTargetInfo,
  type Conversation,
  type RecordedRequest,
  TargetKind,
  type ThinkMode,
} from '../contract/index';
import { type CoreContext, PanelError } from '../host/context';
import type { SecretStore } from '../host/deps';
import { argValue, serverService } from '../server/handlers';
import { loadJson, saveJson } from '../store/json-file';
import { DeltaBatcher } from './batcher';
import {
  type ChatTarget,
  chatBody,
  chatUrl,
  HttpError,
  listModels,
  openaiClient,
  type ReplyResult,
  streamReply,
  type WireMessage,
} from './client';
import { renderCurl } from './curl';
import { exportFilename, toJson, toMarkdown } from './export';
import { effectiveThinkMode, systemPrompt } from './reasoning';
import { CUSTOM_KEY_NAME, keyStorageNote, MemorySecretStore } from './secrets';
import { ChatStore, summarize } from './store';

const TargetConfig = z.object({
  kind: TargetKind.default('launched'),
  customUrl: z.string().max(CHAT_LIMITS.urlChars).default(''),
  model: z.string().max(CHAT_LIMITS.modelChars).nullable().default(null),
});
type TargetConfig = z.infer<typeof TargetConfig>;

export const NO_PARSER_WARNING =
  'The server sent no separate reasoning field, so the panel split the reply at </think> itself. ' +
  'To have vLLM do it, start it with a reasoning parser (Nemotron-Nano-v2: the nemotron_nano_v2 plugin from the model repository).';

const TITLE_CHARS = 60;
/** Longest wait for the first token before a new message is written to disk anyway. */
const WRITE_DEFER_MS = 1000;
/** An aborted fetch ends its stream at once; this only bounds a transport that never does. */
const ABORT_WAIT_MS = 5000;

/** Waits for the replies to end, at most ABORT_WAIT_MS (quit must never hang on a dead socket). */
async function settle(done: Promise<void>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(done), new Promise<void>((r) => (timer = setTimeout(r, ABORT_WAIT_MS)))]);
  clearTimeout(timer);
}

function newId(prefix: string, now: number): string {
  return `${prefix}-${now.toString(36)}-${randomBytes(5).toString('hex')}`;
}

/** A server root from what a user typed: no trailing slash, no trailing /v1. */
export function normalizeBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The conversation as the model sees it: the mode keyword + own system prompt, then the turns. */
export function wireMessages(history: readonly ChatMessage[], settings: ChatSettings, mode: ThinkMode): WireMessage[] {
  const out: WireMessage[] = [{ role: 'system', content: systemPrompt(mode, settings.systemPrompt) }];
  for (const m of history) {
    if (m.role === 'user') {
      out.push({ role: 'user', content: m.content });
      continue;
    }
    // Side-by-side turns: the lane of the current mode is the one the conversation continues from.
    if (m.lane && m.lane !== mode) continue;
    if (m.status === 'error' || m.status === 'streaming' || !m.content) continue;
    // Only the answer: the template drops earlier turns' thinking anyway (nemotron.md §3).
    out.push({ role: 'assistant', content: m.content });
  }
  return out;
}

function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line || 'New chat';
}

interface ResolvedTarget extends ChatTarget {
  kind: z.infer<typeof TargetKind>;
}

interface Active {
  conversationId: string;
  controller: AbortController;
  done: Promise<void>;
}

interface ReplyPlan {
  messageId: string;
  wire: WireMessage[];
  mode: ThinkMode;
  settings: ChatSettings;
}

export class ChatService {
  readonly store: ChatStore;
  readonly secrets: SecretStore;
  private config: TargetConfig = TargetConfig.parse({});
  private configLoaded: Promise<void> | undefined;
  private readonly configPath: string;
  private readonly active = new Map<string, Active>();
  private readonly models = new Map<string, string>();
  /** One `openai` client per server + key (building one per reply costs time before the first token). */
  private readonly clients = new Map<string, OpenAI>();
  private disposed = false;

  constructor(private readonly ctx: CoreContext) {
    this.store = new ChatStore(join(ctx.deps.paths.dataDir, 'chats'), () => ctx.deps.clock.now());
    this.secrets = ctx.deps.secrets ?? new MemorySecretStore();
    this.configPath = join(ctx.deps.paths.configDir, 'chat.json');
    ctx.onDispose(() => this.dispose());
  }

  private loadConfig(): Promise<void> {
    this.configLoaded ??= loadJson(this.configPath, TargetConfig, () => TargetConfig.parse({})).then((r) => {
      this.config = r.value;
      if (r.problem) this.notice('warning', r.problem.message);
    });
    return this.configLoaded;
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.ctx.emit('notice', { level, message, at: this.ctx.deps.clock.now() });
  }

  // ---- target -------------------------------------------------------------------------------

  async info(): Promise<ChatTargetInfo> {
    await this.loadConfig();
    const s = serverService(this.ctx).supervisor.state;
    const launchedUrl = s.url && (s.status === 'ready' || s.status === 'starting') ? s.url : null;
    const hasKey = (await this.secrets.get(CUSTOM_KEY_NAME)) !== undefined;
    return {
      kind: this.config.kind,
      customUrl: this.config.customUrl,
      model: this.config.model,
      hasKey,
      keyStorage: this.secrets.kind,
      keyStorageNote: keyStorageNote(this.secrets.kind),
      launched: { url: launchedUrl, ready: s.status === 'ready', status: s.status },
      effectiveUrl: this.config.kind === 'custom' ? normalizeBaseUrl(this.config.customUrl) : (launchedUrl ?? ''),
    };
  }

  async configure(patch: {
    kind?: 'launched' | 'custom';
    customUrl?: string;
    model?: string | null;
    apiKey?: string | null;
  }): Promise<ChatTargetInfo> {
    await this.loadConfig();
    const next: TargetConfig = { ...this.config };
    if (patch.kind !== undefined) next.kind = patch.kind;
    if (patch.customUrl !== undefined) next.customUrl = patch.customUrl === '' ? '' : normalizeBaseUrl(patch.customUrl);
    if (patch.model !== undefined) next.model = patch.model;
    if (patch.apiKey !== undefined) {
      if (patch.apiKey === null) await this.secrets.delete(CUSTOM_KEY_NAME);
      else await this.secrets.set(CUSTOM_KEY_NAME, patch.apiKey);
    }
    this.config = TargetConfig.parse(next);
    // The key is not part of this file: it lives in the SecretStore.
    await saveJson(this.configPath, this.config);
    this.models.clear();
    return this.info();
  }

  /** Base URL + key of the current target (no model yet). */
  private async base(): Promise<Omit<ResolvedTarget, 'model'> & { cacheKey: string }> {
    await this.loadConfig();
    if (this.config.kind === 'custom') {
      if (!this.config.customUrl) {
        throw new PanelError(
          'no_target',
          'Enter the URL of an OpenAI-compatible server first, or switch to the launched server.',
          [],
          'customUrl',
        );
      }
      const baseUrl = normalizeBaseUrl(this.config.customUrl);
      const apiKey = await this.secrets.get(CUSTOM_KEY_NAME);
      return { kind: 'custom', baseUrl, ...(apiKey ? { apiKey } : {}), cacheKey: `custom|${baseUrl}` };
    }
    const s = serverService(this.ctx).supervisor.state;
    if (s.status !== 'ready' || !s.url) {
      throw new PanelError(
        'server_not_ready',
        s.status === 'starting' || s.status === 'preflight'
          ? 'The server is still starting: chat opens when it is ready.'
          : 'No server is running. Start one on the Launch page, or chat with another server through a custom URL.',
        [{ label: 'Start the server on the Launch page' }, { label: 'Use a custom OpenAI-compatible URL' }],
      );
    }
    const apiKey = argValue(s.argv, '--api-key');
    return { kind: 'launched', baseUrl: s.url, ...(apiKey ? { apiKey } : {}), cacheKey: `launched|${s.runId}|${s.url}` };
  }

  /** The target with its model: the configured one, else the first that /v1/models lists (cached). */
  async resolve(): Promise<ResolvedTarget> {
    const { cacheKey, ...b } = await this.base();
    let model = this.config.model ?? this.models.get(cacheKey);
    if (!model) {
      let listed: { id: string }[];
      try {
        listed = await listModels(this.ctx.deps.fetch, b);
      } catch (err) {
        if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
          throw new PanelError(
            'unauthorized',
            `${b.baseUrl} wants an API key (${err.message}).`,
            [{ label: 'Enter the server’s API key' }],
            'apiKey',
          );
        }
        throw new PanelError('unreachable', `Could not list the models of ${b.baseUrl}: ${(err as Error).message}`, [
          { label: 'Check that the server is running and the URL is right' },
        ]);
      }
      if (!listed[0]) throw new PanelError('no_model', `${b.baseUrl}/v1/models lists no model.`);
      model = listed[0].id;
      this.models.set(cacheKey, model);
    }
    return { ...b, model };
  }

  async listModels(): Promise<{ url: string; models: { id: string; maxModelLen: number | null }[] }> {
    const { cacheKey: _k, ...b } = await this.base();
    try {
      return { url: b.baseUrl, models: await listModels(this.ctx.deps.fetch, b) };
    } catch (err) {
      throw new PanelError('unreachable', `Could not list the models of ${b.baseUrl}: ${(err as Error).message}`);
    }
  }

  // ---- conversations ------------------------------------------------------------------------

  private isBusy(conversationId: string): boolean {
    for (const a of this.active.values()) if (a.conversationId === conversationId) return true;
    return false;
  }

  /** A stored conversation; replies left "streaming" by a panel that quit read as stopped. */
  async get(id: string): Promise<Conversation> {
    const c = await this.store.get(id);
    const stale = c.messages.some((m) => m.status === 'streaming' && !this.active.has(m.id));
    if (!stale) return c;
    const copy = structuredClone(c);
    for (const m of copy.messages) if (m.status === 'streaming' && !this.active.has(m.id)) m.status = 'aborted';
    return copy;
  }

  private async open(conversationId: string | undefined, settings: ChatSettings): Promise<Conversation> {
    const now = this.ctx.deps.clock.now();
    if (!conversationId) {
      return {
        version: 1,
        id: newId('c', now),
        title: '',
        createdAt: now,
        updatedAt: now,
        settings,
        messages: [],
        target: null,
        warnedNoParser: false,
      };
    }
    if (this.isBusy(conversationId)) {
      throw new PanelError('busy', 'A reply is still streaming in this conversation: stop it first.');
    }
    const c = structuredClone(await this.get(conversationId));
    c.settings = settings;
    return c;
  }

  private userMessage(content: string, now: number, compare?: boolean): ChatMessage {
    return {
      id: newId('m', now),
      role: 'user',
      content,
      reasoning: '',
      createdAt: now,
      status: 'done',
      ...(compare ? { compare: true } : {}),
    };
  }

  private placeholder(mode: ThinkMode, now: number, lane?: ThinkMode): ChatMessage {
    return {
      id: newId('m', now),
      role: 'assistant',
      content: '',
      reasoning: '',
      createdAt: now,
      mode,
      status: 'streaming',
      ...(lane ? { lane } : {}),
    };
  }

  /** Applies send / retry / edit to the conversation; returns the user message the reply answers. */
  private applyAction(c: Conversation, action: 'send' | 'retry' | 'edit', content: string, now: number): ChatMessage {
    if (action === 'send') {
      if (!content.trim()) throw new PanelError('invalid_argument', 'Type a message first.', [], 'content');
      const u = this.userMessage(content, now);
      c.messages.push(u);
      return u;
    }
    let i = c.messages.length - 1;
    while (i >= 0 && c.messages[i]!.role !== 'user') i--;
    if (i < 0) throw new PanelError('invalid_argument', 'There is no message to retry or edit yet.');
    const u = c.messages[i]!;
    if (action === 'edit') {
      if (!content.trim()) throw new PanelError('invalid_argument', 'The edited message is empty.', [], 'content');
      u.content = content;
      u.createdAt = now;
    }
    // Side-by-side is a property of the turn: retrying a compared turn compares again.
    c.messages.splice(i + 1);
    return u;
  }

  async send(req: {
    conversationId?: string;
    action: 'send' | 'retry' | 'edit';
    content: string;
    settings: ChatSettings;
  }): Promise<ChatSendResult> {
    const target = await this.resolve();
    const now = this.ctx.deps.clock.now();
    const c = await this.open(req.conversationId, req.settings);
    const user = this.applyAction(c, req.action, req.content, now);
    if (user.compare && req.action !== 'send') return this.startCompare(c, user, target, now);
    const history = [...c.messages];
    const mode = req.settings.mode;
    const reply = this.placeholder(mode, now);
    c.messages.push(reply);
    return this.begin(c, user, target, [
      { messageId: reply.id, wire: wireMessages(history, req.settings, mode), mode, settings: req.settings },
    ]);
  }

  async compare(req: { conversationId?: string; content: string; settings: ChatSettings }): Promise<ChatSendResult> {
    const target = await this.resolve();
    const now = this.ctx.deps.clock.now();
    const c = await this.open(req.conversationId, req.settings);
    if (!req.content.trim()) throw new PanelError('invalid_argument', 'Type a message first.', [], 'content');
    const user = this.userMessage(req.content, now, true);
    c.messages.push(user);
    return this.startCompare(c, user, target, now);
  }

  private startCompare(c: Conversation, user: ChatMessage, target: ResolvedTarget, now: number): Promise<ChatSendResult> {
    const history = [...c.messages];
    const plans: ReplyPlan[] = (['think', 'no_think'] as const).map((mode) => {
      const reply = this.placeholder(mode, now, mode);
      c.messages.push(reply);
      return { messageId: reply.id, wire: wireMessages(history, c.settings, mode), mode, settings: c.settings };
    });
    return this.begin(c, user, target, plans);
  }

  /** Starts the streams first (time to first token), then stores the conversation. */
  private async begin(c: Conversation, user: ChatMessage, target: ResolvedTarget, plans: ReplyPlan[]): Promise<ChatSendResult> {
    if (this.disposed) throw new PanelError('closing', 'The panel is shutting down.');
    const now = this.ctx.deps.clock.now();
    if (!c.title) c.title = titleFrom(user.content);
    c.updatedAt = now;
    c.target = { kind: target.kind, url: target.baseUrl, model: target.model };
    if (c.messages.length > CHAT_LIMITS.messagesPerConversation) {
      throw new PanelError('too_long', `A conversation holds at most ${CHAT_LIMITS.messagesPerConversation} messages: start a new one.`);
    }
    // Streams first. The conversation is visible at once (chat:get), but validating and writing
    // it waits for the first streamed text (or the reply's end, or WRITE_DEFER_MS): on a busy
    // machine a file write next to the request measurably delayed the first token.
    let release: () => void = () => {};
    const firstText = new Promise<void>((r) => (release = r));
    const timer = setTimeout(release, WRITE_DEFER_MS);
    timer.unref?.();
    for (const p of plans) this.startReply(c.id, p, target, release);
    this.store
      .put(c, firstText)
      .catch((err: unknown) => this.notice('error', `Could not save the conversation: ${(err as Error).message}`))
      .finally(() => clearTimeout(timer));
    this.ctx.emit('chat', { type: 'saved', summary: summarize(c) });
    return { conversationId: c.id, userMessageId: user.id, assistantMessageIds: plans.map((p) => p.messageId) };
  }

  private client(target: ResolvedTarget): OpenAI {
    const key = `${target.baseUrl}\n${target.apiKey ?? ''}`;
    let c = this.clients.get(key);
    if (!c) {
      // Keys change rarely; drop stale clients rather than keep one per key ever used.
      if (this.clients.size >= 4) this.clients.clear();
      c = openaiClient(target, this.ctx.deps.fetch);
      this.clients.set(key, c);
    }
    return c;
  }

  /** `firstText` is called once text streams (and when the reply ends, whatever happened). */
  private startReply(conversationId: string, plan: ReplyPlan, target: ResolvedTarget, firstText: () => void): void {
    const controller = new AbortController();
    const emitDelta = (reasoning: string, answer: string) =>
      this.ctx.emit('chat', { type: 'delta', conversationId, messageId: plan.messageId, reasoning, answer });
    const batcher = new DeltaBatcher(emitDelta, this.ctx.deps.clock);
    // The effective mode decides where the output starts: a `/no_think` the user typed wins.
    const mode = effectiveThinkMode(plan.wire);
    const budget = plan.settings.budget.enabled && mode === 'think' ? plan.settings.budget.tokens : null;
    const run = async () => {
      const result = await streamReply({
        target,
        fetch: this.ctx.deps.fetch,
        client: this.client(target),
        messages: plan.wire,
        sampling: plan.settings.sampling[plan.mode],
        mode,
        budget,
        signal: controller.signal,
        onDelta: (r, a) => {
          batcher.push(r, a);
          firstText();
        },
        // The last batch goes out now, not after the reasoning-token count that follows.
        onStreamEnd: () => batcher.flush(),
        onStatus: (note) => {
          batcher.flush();
          this.ctx.emit('chat', { type: 'status', conversationId, messageId: plan.messageId, note });
        },
      });
      batcher.flush();
      firstText();
      if (result.error?.kind === 'not_found') this.models.clear();
      // finish() updates the stored copy: its write is queued behind the first one.
      await this.finish(conversationId, plan.messageId, result, target);
    };
    const done = run()
      .catch((err: unknown) => {
        this.notice('error', `Chat: ${(err as Error)?.message ?? String(err)}`);
      })
      .finally(() => this.active.delete(plan.messageId));
    this.active.set(plan.messageId, { conversationId, controller, done });
  }

  private async finish(conversationId: string, messageId: string, r: ReplyResult, target: ResolvedTarget): Promise<void> {
    let warning: string | undefined;
    let final: ChatMessage | undefined;
    const apply = (m: ChatMessage) => {
      m.content = r.answer.slice(0, CHAT_LIMITS.replyChars);
      m.reasoning = r.reasoning.slice(0, CHAT_LIMITS.replyChars);
      m.status = r.aborted ? 'aborted' : r.error ? 'error' : 'done';
      if (r.error) m.error = r.error;
      m.stats = r.stats;
      m.request = r.request;
      if (r.continuation) m.continuation = r.continuation;
      final = m;
    };
    try {
      const saved = await this.store.update(conversationId, (c) => {
        const m = c.messages.find((x) => x.id === messageId);
        if (m) apply(m);
        if (r.clientSplit && !c.warnedNoParser) {
          c.warnedNoParser = true;
          warning = NO_PARSER_WARNING;
        }
        c.updatedAt = this.ctx.deps.clock.now();
        c.target = { kind: target.kind, url: target.baseUrl, model: target.model };
        return c;
      });
      this.ctx.emit('chat', { type: 'saved', summary: summarize(saved) });
    } catch {
      // Deleted while streaming (or unwritable): the UI still gets the reply.
    }
    if (!final) {
      const m = this.placeholder('think', this.ctx.deps.clock.now());
      m.id = messageId;
      apply(m);
    }
    this.ctx.emit('chat', { type: 'done', conversationId, message: final!, ...(warning ? { warning } : {}) });
  }

  /** Stops the replies of a conversation (or one of them); resolves once they have ended. */
  async abort(conversationId: string, messageId?: string): Promise<number> {
    const hits = [...this.active.entries()].filter(([id, a]) => a.conversationId === conversationId && (!messageId || id === messageId));
    for (const [, a] of hits) a.controller.abort();
    await settle(hits.map(([, a]) => a.done));
    return hits.length;
  }

  async curl(
    source:
      | { kind: 'draft'; conversationId?: string; content: string; settings: ChatSettings }
      | { kind: 'message'; conversationId: string; messageId: string },
    revealKey: boolean,
  ): Promise<{ command: string; redacted: boolean; url: string }> {
    let req: RecordedRequest;
    let key: string | undefined;
    if (source.kind === 'message') {
      const c = await this.get(source.conversationId);
      const m = c.messages.find((x) => x.id === source.messageId);
      if (!m?.request) throw new PanelError('not_found', 'That reply has no recorded request (it did not reach the server).');
      req = m.request;
      key = revealKey ? (await this.base().catch(() => undefined))?.apiKey : undefined;
    } else {
      const target = await this.resolve();
      const history = source.conversationId ? [...(await this.get(source.conversationId)).messages] : [];
      const now = this.ctx.deps.clock.now();
      if (source.content.trim()) history.push(this.userMessage(source.content, now));
      const mode = source.settings.mode;
      const wire = wireMessages(history, source.settings, mode);
      const eff = effectiveThinkMode(wire);
      const budget = source.settings.budget.enabled && eff === 'think' ? source.settings.budget.tokens : null;
      req = {
        url: chatUrl(target.baseUrl),
        body: chatBody(target.model, wire, source.settings.sampling[mode], budget),
        auth: Boolean(target.apiKey),
      };
      key = target.apiKey;
    }
    const r = renderCurl(req, key, revealKey);
    return { ...r, url: req.url };
  }

  async list(query?: string) {
    const r = await this.store.list(query);
    for (const p of r.problems) this.notice('warning', p);
    return r;
  }

  async save(id: string, patch: { title?: string; settings?: ChatSettings }): Promise<Conversation> {
    const c = await this.store.update(id, (c) => {
      if (patch.title !== undefined) c.title = patch.title.trim().slice(0, CHAT_LIMITS.titleChars) || c.title;
      if (patch.settings !== undefined) c.settings = patch.settings;
      c.updatedAt = this.ctx.deps.clock.now();
      return c;
    });
    this.ctx.emit('chat', { type: 'saved', summary: summarize(c) });
    return c;
  }

  async delete(id: string): Promise<void> {
    await this.abort(id);
    await this.store.delete(id);
    this.ctx.emit('chat', { type: 'deleted', id });
  }

  async export(id: string, format: 'markdown' | 'json'): Promise<{ filename: string; mime: string; content: string }> {
    const c = await this.get(id);
    return format === 'markdown'
      ? { filename: exportFilename(c, 'md'), mime: 'text/markdown', content: toMarkdown(c, this.ctx.deps.clock.now()) }
      : { filename: exportFilename(c, 'json'), mime: 'application/json', content: toJson(c) };
  }

  /** Number of replies streaming now (tests, the benchmark). */
  get streaming(): number {
    return this.active.size;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const a of this.active.values()) a.controller.abort();
    await settle([...this.active.values()].map((a) => a.done));
    await this.store.flush();
  }
}

const services = new WeakMap<CoreContext, ChatService>();
export function chatService(ctx: CoreContext): ChatService {
  let s = services.get(ctx);
  if (!s) {
    s = new ChatService(ctx);
    services.set(ctx, s);
  }
  return s;
}
