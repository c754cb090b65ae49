// Conversations on disk: one JSON file per conversation under <dataDir>/chats, validated with zod
// on every read, written atomically (temp file + rename). A corrupt file is moved aside
// (`<file>.corrupt-<time>`) and reported, never silently dropped. Writes to one conversation are
// serialised; the in-memory copy is the truth while the panel runs (every write goes through here).
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChatId, Conversation, type ConversationSummary } from '../contract/index';
import { PanelError } from '../host/context';
import { loadJson, saveJson } from '../store/json-file';

const FILE_RE = /^([a-z0-9][a-z0-9-]{0,63})\.json$/;
const PREVIEW_CHARS = 120;

export function summarize(c: Conversation): ConversationSummary {
  const last = c.messages[c.messages.length - 1];
  return {
    id: c.id,
    title: c.title,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    messageCount: c.messages.length,
    preview: (last?.content || last?.reasoning || '').replace(/\s+/g, ' ').trim().slice(0, PREVIEW_CHARS),
  };
}

/** Case-insensitive match of every word of `query` in the title or any message. */
export function matches(c: Conversation, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [c.title, ...c.messages.map((m) => `${m.content}\n${m.reasoning}`)].join('\n').toLowerCase();
  return words.every((w) => hay.includes(w));
}

export class ChatStore {
  private readonly cache = new Map<string, Conversation>();
  private readonly queue = new Map<string, Promise<unknown>>();
  private scanned = false;
  /** Problems found since the last list (corrupt files moved aside). */
  private problems: string[] = [];

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private path(id: string): string {
    // The id schema already forbids path characters; checked again because this builds a path.
    if (!ChatId.safeParse(id).success) throw new PanelError('invalid_argument', `Not a conversation id: ${id.slice(0, 80)}`);
    return join(this.dir, `${id}.json`);
  }

  private async load(id: string): Promise<Conversation | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const r = await loadJson(this.path(id), Conversation.nullable(), () => null, this.now);
    if (r.problem) this.problems.push(r.problem.message);
    if (!r.value) return undefined;
    if (r.value.id !== id) {
      // A file copied under another name: trust the file name (it is what the list shows).
      r.value.id = id;
    }
    this.cache.set(id, r.value);
    return r.value;
  }

  private async scan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') names = [];
      else throw err;
    }
    for (const n of names) {
      const m = FILE_RE.exec(n);
      if (m) await this.load(m[1]!);
    }
    this.scanned = true;
  }

  /** All conversations (newest first), filtered by `query`; `problems` lists corrupt files moved aside. */
  async list(query?: string): Promise<{ items: ConversationSummary[]; problems: string[] }> {
    if (!this.scanned) await this.scan();
    const items = [...this.cache.values()]
      .filter((c) => !query || matches(c, query))
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map(summarize);
    const problems = this.problems;
    this.problems = [];
    return { items, problems };
  }

  /** Problems seen while loading, without listing (they stay queued for the next list()). */
  peekProblems(): readonly string[] {
    return this.problems;
  }

  async get(id: string): Promise<Conversation> {
    const c = await this.load(id);
    if (!c) {
      const why = this.problems.find((p) => p.includes(`${id}.json`));
      throw new PanelError(why ? 'corrupt_conversation' : 'not_found', why ?? `No conversation ${id}.`);
    }
    return c;
  }

  async has(id: string): Promise<boolean> {
    return (await this.load(id)) !== undefined;
  }

  /** Runs `op` after every earlier operation on the same conversation (no lost updates). */
  private enqueue<T>(id: string, op: () => Promise<T>): Promise<T> {
    const prev = this.queue.get(id) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(op);
    this.queue.set(id, run);
    const clear = () => {
      if (this.queue.get(id) === run) this.queue.delete(id);
    };
    run.then(clear, clear);
    return run;
  }

  /**
   * Stores a conversation: visible to get()/list() at once, validated and written (atomically)
   * after `writeAfter` settles — callers defer the disk work off a latency-critical moment.
   * Meant for a conversation nothing else is writing (a new message; updates use update()).
   */
  async put(c: Conversation, writeAfter?: Promise<unknown>): Promise<Conversation> {
    const path = this.path(c.id);
    if (writeAfter === undefined) Conversation.parse(c);
    this.cache.set(c.id, c);
    return this.enqueue(c.id, async () => {
      await writeAfter?.catch(() => {});
      const valid = Conversation.parse(this.cache.get(c.id) ?? c);
      this.cache.set(valid.id, valid);
      await saveJson(path, valid);
      return valid;
    });
  }

  /** Read-modify-write of the current copy, queued behind other writes to the same conversation. */
  update(id: string, fn: (c: Conversation) => Conversation): Promise<Conversation> {
    return this.enqueue(id, async () => {
      const next = Conversation.parse(fn(structuredClone(await this.get(id))));
      this.cache.set(id, next);
      await saveJson(this.path(id), next);
      return next;
    });
  }

  async delete(id: string): Promise<void> {
    const path = this.path(id);
    return this.enqueue(id, async () => {
      this.cache.delete(id);
      await rm(path, { force: true });
    });
  }

  /** Waits for pending writes (dispose, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.queue.values()].map((p) => p.catch(() => {})));
  }
}
