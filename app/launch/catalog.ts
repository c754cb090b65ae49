// Per-version views of the flag catalog. Two sources:
//  - built-in (catalog-data.ts): the reference's flag list, filtered by `since` / REMOVED_ITEMS and
//    adjusted for the choices and defaults that changed between versions;
//  - the installed vLLM's `vllm serve --help=all` (help-parser.ts): that list decides which flags
//    exist and their choices/defaults; the built-in entries only add semantics (kind, ranges).
// Pure module (no Node imports): the simulator and the profile/command helpers use it too.
import { FLAG_CATALOG, FLAG_GROUPS, LEGACY_FLAGS, REMOVED_ITEMS } from './catalog-data';
import type { FlagSpec, FlagValue, RemovedItem } from './types';

export { FLAG_CATALOG, FLAG_GROUPS, LEGACY_FLAGS, REMOVED_ITEMS };

// ---------------------------------------------------------------------------------------------
// Versions

export interface ParsedVersion {
  release: [number, number, number];
  /** Pre/dev/post ordering rank: dev < a < b < rc < final < post. */
  stage: number;
  stageNum: number;
  raw: string;
}

const STAGES: Record<string, number> = { dev: 0, a: 1, alpha: 1, b: 2, beta: 2, rc: 3, post: 5 };

/** Parses PEP 440-ish vLLM versions: "0.13.0", "v0.22.0", "0.14.0rc2.dev126+g38bf2ffb2", "0.13.0+faa43dbf". */
export function parseVersion(raw: string): ParsedVersion | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\d+)*([^+]*)(?:\+.*)?$/.exec(raw.trim());
  if (!m) return null;
  const release: [number, number, number] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  const tail = (m[4] ?? '').toLowerCase();
  let stage = 4;
  let stageNum = 0;
  // The first marker decides ("rc2.dev126" is a dev build of rc2, which still sorts before rc2).
  const s = /(dev|alpha|beta|a|b|rc|post)\.?(\d*)/.exec(tail);
  if (s) {
    stage = STAGES[s[1] as string] ?? 4;
    stageNum = Number(s[2] || 0);
    if (/dev/.test(tail) && s[1] !== 'dev') stage -= 0.5;
  }
  return { release, stage, stageNum, raw };
}

/** Full ordering (pre-releases before the release). Unparseable versions sort first. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  for (let i = 0; i < 3; i++) {
    const d = (pa.release[i] as number) - (pb.release[i] as number);
    if (d !== 0) return d;
  }
  return pa.stage - pb.stage || pa.stageNum - pb.stageNum;
}

/**
 * Feature gate: does `version` have what appeared in `since`? Compares the release numbers only,
 * because release candidates (0.14.0rc1) already carry the flags of their release.
 */
export function versionAtLeast(version: string, since: string): boolean {
  const pv = parseVersion(version);
  const ps = parseVersion(since);
  if (!pv || !ps) return true;
  for (let i = 0; i < 3; i++) {
    const d = (pv.release[i] as number) - (ps.release[i] as number);
    if (d !== 0) return d > 0;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Version-dependent choices and defaults (vllm-cli.md §4.9, §5, §7)

/** A choice that exists only from `since` on. */
const VERSIONED_CHOICES: readonly { flag: string; choice: string; since: string }[] = [
  // §5: v0.10.2 had auto, fp8, fp8_e4m3, fp8_e5m2, fp8_inc; v0.11.1 adds bfloat16 and fp8_ds_mla.
  { flag: 'kv-cache-dtype', choice: 'bfloat16', since: '0.11.0' },
  { flag: 'kv-cache-dtype', choice: 'fp8_ds_mla', since: '0.11.0' },
  // float16 is in the ~v0.18 snapshot but not in v0.11.1; 0.12.0 is the earliest it can be.
  { flag: 'kv-cache-dtype', choice: 'float16', since: '0.12.0' },
  // §7: MambaDType gains bfloat16 after the ~v0.18 snapshot.
  { flag: 'mamba-cache-dtype', choice: 'bfloat16', since: '0.19.0' },
  { flag: 'mamba-ssm-cache-dtype', choice: 'bfloat16', since: '0.19.0' },
  // §7: v0.30 docs list cutedsl.
  { flag: 'gdn-prefill-backend', choice: 'cutedsl', since: '0.19.0' },
  // §4.3: "+reward newer" (the newer parser's --task hint mentions --convert reward).
  { flag: 'convert', choice: 'reward', since: '0.19.0' },
];

/** First version that accepts `choice` for `flag`, when it came later than the flag itself. */
export function choiceSince(flag: string, choice: string): string | undefined {
  return VERSIONED_CHOICES.find((c) => c.flag === flag && c.choice === choice)?.since;
}

/** argparse lists Literal choices sorted (numbers numerically, strings by code point). */
export function sortChoices(choices: readonly string[]): string[] {
  const numeric = choices.every((c) => /^-?\d+$/.test(c));
  return [...choices].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A default that changed in `since`; `before` applies to older versions. */
const VERSIONED_DEFAULTS: readonly { flag: string; since: string; value: FlagValue | undefined; before: FlagValue | undefined }[] = [
  // §4.9: 0.9 at ~v0.18; 0.92 in v0.25+ (third-party notes quoting cache.py of v0.25.0 and v0.30.0).
  { flag: 'gpu-memory-utilization', since: '0.25.0', value: 0.92, before: 0.9 },
  // §5: default changed from 1 to None ("Defaults to data_parallel_size") in v0.18.
  { flag: 'api-server-count', since: '0.18.0', value: undefined, before: 1 },
];

/** Flags vLLM accepts but hides from --help (help=SUPPRESS): a parsed help never lists them. */
const HIDDEN_FLAGS: ReadonlySet<string> = new Set(['model']);

/** Flags whose `list` items are integers (argparse `type=int, nargs='+'`). */
export const INT_LIST_FLAGS: ReadonlySet<string> = new Set(['cudagraph-capture-sizes', 'cuda-graph-sizes']);

/** Choice flags whose values also accept dashes for underscores (§4.15 moe-backend). */
export const DASH_TOLERANT_CHOICES: ReadonlySet<string> = new Set(['moe-backend']);

/** Flags with `nargs='?'`: the bare flag is allowed (`--hf-token` = use the cached token). */
export const OPTIONAL_VALUE_FLAGS: ReadonlySet<string> = new Set(['hf-token']);

// ---------------------------------------------------------------------------------------------
// Names

const BUILTIN_ALIASES: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const f of [...FLAG_CATALOG, ...LEGACY_FLAGS]) for (const a of f.aliases ?? []) m.set(a, f.name);
  return m;
})();

/**
 * Canonical flag name: no leading dashes, `_` → `-` in the part before the first `.` (as vLLM's
 * FlexibleArgumentParser does), `=value` dropped, short aliases expanded (`-tp` →
 * `tensor-parallel-size`, `-O3` → `optimization-level`).
 */
export function canonicalFlagName(raw: string): string {
  let s = raw.trim();
  const eq = s.indexOf('=');
  if (eq > 0) s = s.slice(0, eq);
  if (s.startsWith('-') && !s.startsWith('--')) {
    if (/^-O(\d*)$/.test(s)) return 'optimization-level';
    const full = BUILTIN_ALIASES.get(s);
    if (full) return full;
    s = s.slice(1);
  } else {
    s = s.replace(/^-+/, '');
  }
  const dot = s.indexOf('.');
  return dot < 0 ? s.replaceAll('_', '-') : s.slice(0, dot).replaceAll('_', '-') + s.slice(dot);
}

/** `--name` form of a removed item or flag name ("env:X" stays as is). */
function removedKey(name: string): string {
  return name.startsWith('env:') ? name : `--${canonicalFlagName(name)}`;
}

// ---------------------------------------------------------------------------------------------
// Catalog

export interface ResolvedOption {
  /** Canonical name of the flag the option refers to (for a dotted key: the base flag). */
  name: string;
  spec?: FlagSpec;
  /** `--no-x` form of a bool flag. */
  negated: boolean;
  /** `compilation-config.mode` → "mode" (JSON sub-key; may end with `+` to append to a list). */
  subKey?: string;
  /** Value given inline with `=`. */
  inlineValue?: string;
}

export interface Catalog {
  /** vLLM version this view describes; null = unknown (the newest known semantics apply). */
  readonly version: string | null;
  /** 'help' when the installed vLLM's `--help=all` decided the flag list. */
  readonly source: 'builtin' | 'help';
  /** Things worth telling the user about how this catalog was made. */
  readonly notes: readonly string[];
  get(name: string): FlagSpec | undefined;
  has(name: string): boolean;
  all(): readonly FlagSpec[];
  /** Group names in help order (only groups that have flags). */
  groups(): readonly string[];
  /** The removed/renamed entry for a flag ("--x", "x", "x_y") or env var ("env:NAME"), if it no longer works in this version. */
  removed(name: string): RemovedItem | undefined;
  /** All removal entries that apply to this version. */
  removedItems(): readonly RemovedItem[];
  /** Maps one command-line option spelling (`--no-x`, `--a_b=1`, `-tp`, `--cc.mode`) to its flag. */
  resolve(option: string): ResolvedOption;
}

function withDefault(spec: FlagSpec, value: FlagValue | undefined): FlagSpec {
  return { ...spec, default: value };
}

/** The built-in specs as they apply to `version` (null = newest known). */
function builtinSpecs(version: string | null): FlagSpec[] {
  const removedNow = (name: string): boolean => {
    const item = REMOVED_ITEMS.find((r) => r.name === `--${name}`);
    return item !== undefined && (version === null || versionAtLeast(version, item.removedIn));
  };
  const out: FlagSpec[] = [];
  for (const f of FLAG_CATALOG) {
    if (version !== null && f.since && !versionAtLeast(version, f.since)) continue;
    if (removedNow(f.name)) continue;
    out.push(f);
  }
  if (version !== null) {
    for (const f of LEGACY_FLAGS) if (!removedNow(f.name) && !out.some((o) => o.name === f.name)) out.push(f);
  }
  return out.map((f) => adjustForVersion(f, version));
}

function adjustForVersion(f: FlagSpec, version: string | null): FlagSpec {
  let spec = f;
  const vc = VERSIONED_CHOICES.filter((c) => c.flag === f.name);
  if (vc.length > 0 && spec.choices) {
    let choices = [...spec.choices];
    for (const c of vc) {
      const present = version === null || versionAtLeast(version, c.since);
      if (present && !choices.includes(c.choice)) choices.push(c.choice);
      if (!present) choices = choices.filter((x) => x !== c.choice);
    }
    spec = { ...spec, choices: sortChoices(choices) };
  }
  const vd = VERSIONED_DEFAULTS.find((d) => d.flag === f.name);
  if (vd) spec = withDefault(spec, version === null || versionAtLeast(version, vd.since) ? vd.value : vd.before);
  return spec;
}

/** Combines a flag parsed from `--help=all` with the built-in semantics of the same flag. */
function mergeHelpSpec(h: FlagSpec, b: FlagSpec | undefined): FlagSpec {
  if (!b) return h;
  const structural = h.kind === 'bool' || h.kind === 'store-true' || h.kind === 'choice' || (h.kind === 'list' && !!h.choices);
  let kind = structural ? h.kind : b.kind;
  let suggestions = h.suggestions ?? b.suggestions;
  // Built-in says choice but the installed vLLM takes any string (metavar): keep the values as hints.
  if (!structural && b.kind === 'choice') {
    kind = h.kind === 'list' ? 'list' : 'string';
    suggestions = h.suggestions ?? b.choices;
  }
  // Help said "list" (nargs='+') but the built-in did not: trust the installed parser.
  if (h.kind === 'list' && b.kind !== 'list') kind = 'list';
  const merged: FlagSpec = {
    ...b,
    kind,
    group: h.group,
    help: h.help || b.help,
    default: coerceDefault(h.default, kind),
  };
  if (h.choices) merged.choices = h.choices;
  else if (kind !== 'choice' && !(kind === 'list' && b.choices)) delete merged.choices;
  if (h.aliases?.length) merged.aliases = h.aliases;
  else delete merged.aliases;
  if (h.nullable !== undefined) merged.nullable = h.nullable || b.nullable === true;
  if (suggestions) merged.suggestions = suggestions;
  if (h.deprecated) merged.deprecated = true;
  return merged;
}

/** Help prints defaults as text; give them the built-in kind's type where that is safe. */
function coerceDefault(v: FlagValue | undefined, kind: FlagSpec['kind']): FlagValue | undefined {
  if (typeof v !== 'string') return v;
  if (kind === 'int' || kind === 'hr-int') return /^-?\d+$/.test(v) ? Number(v) : v;
  if (kind === 'float') return Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v;
  return v;
}

class CatalogImpl implements Catalog {
  private readonly byName = new Map<string, FlagSpec>();
  private readonly aliases = new Map<string, string>();
  private readonly removedList: RemovedItem[];
  private readonly groupOrder: string[];

  constructor(
    readonly version: string | null,
    readonly source: 'builtin' | 'help',
    specs: readonly FlagSpec[],
    readonly notes: readonly string[],
  ) {
    for (const s of specs) {
      this.byName.set(s.name, s);
      for (const a of s.aliases ?? []) this.aliases.set(a, s.name);
    }
    const known = FLAG_GROUPS.map((g) => g.name);
    const present = new Set(specs.map((s) => s.group));
    this.groupOrder = [...known.filter((g) => present.has(g)), ...[...present].filter((g) => !known.includes(g))];
    this.removedList = REMOVED_ITEMS.filter((r) => this.isRemoved(r));
  }

  private isRemoved(r: RemovedItem): boolean {
    if (!r.name.startsWith('env:') && this.byName.has(canonicalFlagName(r.name))) return false;
    if (this.source === 'help' && !r.name.startsWith('env:')) return true;
    return this.version === null || versionAtLeast(this.version, r.removedIn);
  }

  private lookup(name: string): FlagSpec | undefined {
    const direct = this.byName.get(name);
    if (direct) return direct;
    const viaAlias = this.aliases.get(name) ?? this.aliases.get(`-${name}`);
    return viaAlias ? this.byName.get(viaAlias) : undefined;
  }

  get(name: string): FlagSpec | undefined {
    const raw = name.trim();
    if (raw.startsWith('-') && !raw.startsWith('--')) {
      const short = raw.split('=')[0] as string;
      const target = this.aliases.get(short);
      if (target) return this.byName.get(target);
    }
    return this.lookup(canonicalFlagName(raw));
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  all(): readonly FlagSpec[] {
    const order = new Map(this.groupOrder.map((g, i) => [g, i]));
    return [...this.byName.values()].sort((a, b) => (order.get(a.group) ?? 99) - (order.get(b.group) ?? 99));
  }

  groups(): readonly string[] {
    return this.groupOrder;
  }

  removed(name: string): RemovedItem | undefined {
    const key = removedKey(name);
    return this.removedList.find((r) => r.name === key);
  }

  removedItems(): readonly RemovedItem[] {
    return this.removedList;
  }

  resolve(option: string): ResolvedOption {
    let raw = option.trim();
    let inlineValue: string | undefined;
    const eq = raw.indexOf('=');
    if (eq > 0 && raw.startsWith('-')) {
      inlineValue = raw.slice(eq + 1);
      raw = raw.slice(0, eq);
    }
    const withInline = <T extends object>(r: T): T & { inlineValue?: string } => (inlineValue === undefined ? r : { ...r, inlineValue });
    if (raw.startsWith('-') && !raw.startsWith('--')) {
      const o = /^-O(\d*)$/.exec(raw);
      if (o) {
        const spec = this.byName.get('optimization-level');
        const value = o[1] ? o[1] : inlineValue;
        return {
          name: 'optimization-level',
          negated: false,
          ...(spec ? { spec } : {}),
          ...(value !== undefined ? { inlineValue: value } : {}),
        };
      }
    }
    const name = canonicalFlagName(raw);
    const spec = this.get(raw);
    if (spec) return withInline({ name: spec.name, spec, negated: false });
    if (name.startsWith('no-')) {
      const base = this.byName.get(name.slice(3));
      if (base && base.kind === 'bool') return withInline({ name: base.name, spec: base, negated: true });
    }
    const dot = name.indexOf('.');
    if (dot > 0) {
      const base = this.byName.get(name.slice(0, dot));
      if (base && base.kind === 'json') return withInline({ name: base.name, spec: base, negated: false, subKey: name.slice(dot + 1) });
      return withInline({ name: name.slice(0, dot), negated: false, subKey: name.slice(dot + 1) });
    }
    return withInline({ name, negated: false });
  }
}

const cache = new Map<string, Catalog>();

/**
 * The catalog for a vLLM version. With `helpFlags` (parsed from that vLLM's `--help=all`) those
 * decide which flags exist; the built-in catalog adds the semantics of the flags it knows.
 * Without them, the built-in catalog filtered for `version` (newest known when undefined).
 */
export function getCatalog(version?: string | null, helpFlags?: readonly FlagSpec[]): Catalog {
  const v = version && parseVersion(version) ? version : null;
  if (!helpFlags) {
    const key = v ?? '';
    let c = cache.get(key);
    if (!c) {
      const notes = v === null ? ['vLLM version unknown: the newest known flag set is used.'] : [];
      c = new CatalogImpl(v, 'builtin', builtinSpecs(v), notes);
      cache.set(key, c);
    }
    return c;
  }
  const known = new Map<string, FlagSpec>();
  for (const f of [...LEGACY_FLAGS, ...FLAG_CATALOG]) known.set(f.name, adjustForVersion(f, v));
  const specs = helpFlags.map((h) => mergeHelpSpec(h, known.get(h.name)));
  const names = new Set(specs.map((s) => s.name));
  for (const hidden of HIDDEN_FLAGS) {
    const b = known.get(hidden);
    if (b && !names.has(hidden)) specs.push(b);
  }
  const unknown = helpFlags.filter((h) => !known.has(h.name)).length;
  const notes = [
    `Flags read from the installed vLLM's --help=all (${helpFlags.length} flags${unknown ? `, ${unknown} not in the built-in catalog` : ''}).`,
  ];
  return new CatalogImpl(v, 'help', specs, notes);
}
