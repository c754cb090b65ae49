// The engine model: vLLM V1's scheduler loop, reduced to what changes what the panel sees
// (latency, throughput, queueing, KV usage, preemptions, prefix-cache hits).
//
// Per step, like vllm/v1/core/sched/scheduler.py:
//  * a token budget of max_num_batched_tokens;
//  * RUNNING requests first, in order: each needs `known − computed` tokens (1 when decoding, the
//    rest of the prompt — capped by the budget = chunked prefill — when prefilling). If its KV
//    blocks cannot be allocated, the *last* running request is preempted (recompute: its blocks
//    are freed and it goes back to the front of the queue with computed = 0);
//  * then WAITING requests (FCFS) while running < max_num_seqs and budget remains, unless a
//    preemption happened in this step. Admission looks up the prefix cache (full blocks whose
//    chained hash is cached count as computed; the last prompt token is always recomputed);
//    without chunked prefill a prompt that does not fit the remaining budget waits;
//  * a request whose known tokens are all computed after the step samples one token.
// KV blocks come from one pool of `numGpuBlocks` blocks of `blockSize` tokens; hybrid models also
// hold `stateBlocksPerSeq` blocks per running request (the Mamba groups, nemotron.md §4.2). Full
// prompt blocks stay cached after a request ends until evicted (LRU), as vLLM's prefix cache.

export interface SchedulerConfig {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  chunkedPrefill: boolean;
  blockSize: number;
  numGpuBlocks: number;
  /** Pool blocks per `blockSize` tokens (one per attention KV group; 1 for most models). */
  attnGroups?: number;
  stateBlocksPerSeq: number;
  prefixCaching: boolean;
  maxModelLen: number;
}

export interface EngineRequest {
  id: number;
  promptLen: number;
  /** Chained hashes of the prompt's full blocks (sim/text/tokenizer.ts blockHashes). */
  hashes: readonly number[];
  /** max_tokens (already capped so prompt + output ≤ max_model_len). */
  maxTokens: number;
  /** Natural output length (EOS position); Infinity with ignore_eos. */
  eosAt: number;
  arrival: number;
}

export const FINISH_NONE = 0;
export const FINISH_STOP = 1;
export const FINISH_LENGTH = 2;

interface ReqState {
  req: EngineRequest;
  computed: number;
  generated: number;
  blocks: number[];
  /** Blocks of this request already registered in the prefix cache. */
  registered: number;
  firstScheduled: number;
  firstToken: number;
  preemptions: number;
  cachedTokens: number;
  running: boolean;
}

export interface FinishedInfo {
  id: number;
  reason: number;
  arrival: number;
  firstScheduled: number;
  firstToken: number;
  finished: number;
  generated: number;
  cachedTokens: number;
}

export interface StepResult {
  /** When the step's outputs exist. */
  end: number;
  /** Tokens processed by the step (prefill + decode), for the iteration-tokens histogram. */
  scheduledTokens: number;
  scheduledSeqs: number;
  /** Σ context length of the scheduled requests (KV read by attention). */
  contextTokens: number;
  /** Flat triples: request id, new tokens (0/1), finish reason. */
  outputs: number[];
  finished: FinishedInfo[];
  preemptions: number;
  prefixQueries: number;
  prefixHits: number;
  /** Flat pairs for requests scheduled for the first time in this step: id, prefix-cache hit tokens. */
  firstScheduled: number[];
}

export class Scheduler {
  private readonly cfg: SchedulerConfig;
  private readonly waiting: ReqState[] = [];
  private readonly running: ReqState[] = [];
  private readonly byId = new Map<number, ReqState>();
  private readonly free: number[] = [];
  private readonly refs: Int32Array;
  private readonly hashOf: Float64Array;
  /** hash → block id, for full prompt blocks. */
  private readonly cache = new Map<number, number>();
  /** Cached blocks with no user, oldest first (evicted before free ones are exhausted). */
  private readonly evictable = new Map<number, true>();

  constructor(cfg: SchedulerConfig) {
    this.cfg = cfg;
    this.refs = new Int32Array(cfg.numGpuBlocks);
    this.hashOf = new Float64Array(cfg.numGpuBlocks).fill(-1);
    for (let b = cfg.numGpuBlocks - 1; b >= 0; b--) this.free.push(b);
  }

  get numRunning(): number {
    return this.running.length;
  }
  get numWaiting(): number {
    return this.waiting.length;
  }
  get idle(): boolean {
    return this.running.length === 0 && this.waiting.length === 0;
  }
  /** Fraction of blocks held by requests (cached-but-unused blocks count as free, as in vLLM). */
  get kvUsage(): number {
    return this.cfg.numGpuBlocks === 0 ? 0 : 1 - (this.free.length + this.evictable.size) / this.cfg.numGpuBlocks;
  }

  add(req: EngineRequest): void {
    const st: ReqState = {
      req,
      computed: 0,
      generated: 0,
      blocks: [],
      registered: 0,
      firstScheduled: -1,
      firstToken: -1,
      preemptions: 0,
      cachedTokens: 0,
      running: false,
    };
    this.byId.set(req.id, st);
    this.waiting.push(st);
  }

  /** Drops a request (client gone, stop string hit, shutdown). */
  abort(id: number): boolean {
    const st = this.byId.get(id);
    if (!st) return false;
    this.byId.delete(id);
    const list = st.running ? this.running : this.waiting;
    const i = list.indexOf(st);
    if (i >= 0) list.splice(i, 1);
    this.release(st);
    return true;
  }

  private blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.cfg.blockSize) * (this.cfg.attnGroups ?? 1) + this.cfg.stateBlocksPerSeq;
  }

  private takeBlock(): number {
    let b = this.free.pop();
    if (b === undefined) {
      const oldest = this.evictable.keys().next();
      if (oldest.done) throw new Error('no free KV block');
      b = oldest.value;
      this.evictable.delete(b);
      const h = this.hashOf[b]!;
      if (h >= 0 && this.cache.get(h) === b) this.cache.delete(h);
      this.hashOf[b] = -1;
    }
    this.refs[b] = 1;
    return b;
  }

  private allocate(st: ReqState, newTokens: number): boolean {
    const need = this.blocksFor(st.computed + newTokens) - st.blocks.length;
    if (need <= 0) return true;
    if (need > this.free.length + this.evictable.size) return false;
    for (let k = 0; k < need; k++) st.blocks.push(this.takeBlock());
    return true;
  }

  private release(st: ReqState): void {
    for (const b of st.blocks) {
      const r = --this.refs[b]!;
      if (r > 0) continue;
      if (this.hashOf[b]! >= 0) this.evictable.set(b, true);
      else this.free.push(b);
    }
    st.blocks = [];
    st.registered = 0;
  }

  /** Registers the request's newly completed full prompt blocks in the prefix cache. */
  private register(st: ReqState): void {
    if (!this.cfg.prefixCaching) return;
    const full = Math.min(Math.floor(st.computed / this.cfg.blockSize), st.req.hashes.length);
    for (let k = st.registered; k < full; k++) {
      const b = st.blocks[k];
      const h = st.req.hashes[k]!;
      if (b === undefined) break;
      if (!this.cache.has(h)) {
        this.cache.set(h, b);
        this.hashOf[b] = h;
      }
    }
    st.registered = Math.max(st.registered, full);
  }

  private preempt(victim: ReqState): void {
    this.release(victim);
    victim.computed = 0;
    victim.running = false;
    victim.preemptions++;
    this.waiting.unshift(victim);
  }

  /** Admission-time prefix lookup; returns hit tokens and pins the hit blocks. */
  private lookupPrefix(st: ReqState): number {
    if (!this.cfg.prefixCaching || st.computed > 0 || st.blocks.length > 0) return 0;
    const known = st.req.promptLen + st.generated;
    let hits = 0;
    for (const h of st.req.hashes) {
      if ((hits + 1) * this.cfg.blockSize >= known) break; // always recompute the last token
      const b = this.cache.get(h);
      if (b === undefined) break;
      if (this.refs[b] === 0) this.evictable.delete(b);
      this.refs[b]!++;
      st.blocks.push(b);
      hits++;
    }
    st.registered = hits;
    st.computed = hits * this.cfg.blockSize;
    return st.computed;
  }

  /**
   * Runs one engine step starting at `start`. `duration(tokens, seqs, contextTokens)` gives its
   * length (cost model); the step's outputs are stamped with its end. Without it, end = start.
   */
  step(start: number, duration?: (tokens: number, seqs: number, contextTokens: number) => number): StepResult {
    const now = start;
    const cfg = this.cfg;
    let budget = cfg.maxNumBatchedTokens;
    const scheduled: [ReqState, number][] = [];
    let preemptions = 0;
    let prefixQueries = 0;
    let prefixHits = 0;
    const firstScheduled: number[] = [];

    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const st = this.running[i]!;
      const known = st.req.promptLen + st.generated;
      const want = known - st.computed;
      if (want <= 0) continue;
      const n = Math.min(want, budget);
      let ok = this.allocate(st, n);
      while (!ok) {
        const victim = this.running.pop()!;
        this.preempt(victim);
        preemptions++;
        if (victim === st) break;
        ok = this.allocate(st, n);
      }
      if (!ok) break;
      budget -= n;
      scheduled.push([st, n]);
    }

    if (preemptions === 0) {
      while (this.waiting.length > 0 && this.running.length < cfg.maxNumSeqs && budget > 0) {
        const st = this.waiting[0]!;
        const known = st.req.promptLen + st.generated;
        const hit = st.blocks.length === 0 ? this.lookupPrefix(st) : 0;
        const want = known - st.computed;
        if (!cfg.chunkedPrefill && want > budget) {
          this.unpin(st, hit);
          break;
        }
        const n = Math.min(want, budget);
        if (!this.allocate(st, n)) {
          this.unpin(st, hit);
          break;
        }
        this.waiting.shift();
        if (st.firstScheduled < 0) {
          st.firstScheduled = now;
          st.cachedTokens = hit;
          prefixQueries += st.req.promptLen;
          prefixHits += hit;
          firstScheduled.push(st.req.id, hit);
        }
        st.running = true;
        this.running.push(st);
        budget -= n;
        scheduled.push([st, n]);
      }
    }

    let tokens = 0;
    let context = 0;
    for (const [st, n] of scheduled) {
      tokens += n;
      context += st.computed + n;
    }
    // Outputs exist when the step ends; the cost model says when that is.
    const end = duration ? start + duration(tokens, scheduled.length, context) : start;
    const outputs: number[] = [];
    const finished: FinishedInfo[] = [];
    for (const [st, n] of scheduled) {
      st.computed += n;
      this.register(st);
      const known = st.req.promptLen + st.generated;
      if (st.computed < known) continue; // chunked prefill continues next step
      st.generated++;
      if (st.firstToken < 0) st.firstToken = end;
      let reason = FINISH_NONE;
      if (st.generated >= st.req.eosAt) reason = FINISH_STOP;
      else if (st.generated >= st.req.maxTokens || st.req.promptLen + st.generated >= cfg.maxModelLen) reason = FINISH_LENGTH;
      outputs.push(st.req.id, 1, reason);
      if (reason !== FINISH_NONE) {
        finished.push({
          id: st.req.id,
          reason,
          arrival: st.req.arrival,
          firstScheduled: st.firstScheduled,
          firstToken: st.firstToken,
          finished: end,
          generated: st.generated,
          cachedTokens: st.cachedTokens,
        });
      }
    }
    for (const f of finished) {
      const st = this.byId.get(f.id)!;
      this.byId.delete(f.id);
      const i = this.running.indexOf(st);
      if (i >= 0) this.running.splice(i, 1);
      this.release(st);
    }
    return {
      end,
      scheduledTokens: tokens,
      scheduledSeqs: scheduled.length,
      contextTokens: context,
      outputs,
      finished,
      preemptions,
      prefixQueries,
      prefixHits,
      firstScheduled,
    };
  }

  /** Undoes a prefix lookup for a request that could not be admitted after all. */
  private unpin(st: ReqState, hit: number): void {
    if (hit === 0) return;
    this.release(st);
    st.computed = 0;
  }
}
