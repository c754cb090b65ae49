// Text ↔ value for the flag editor's inputs. The core validates every value (command:build →
// issues); this only turns what the user typed into the stored type where that is unambiguous, so
// "48k" becomes 48000 for the planner. Text that does not parse is kept as typed and the core's
// error is shown next to the field.
import type { FlagSpec, FlagValue } from '../../stores/profile-store';

/** vLLM's human-readable ints (vllm-cli.md §1): k=1000, K=1024, …; decimals only with decimal suffixes. */
const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
const BINARY: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

export function parseHumanInt(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT])$/.exec(t);
  if (!m) return undefined;
  const [, num, suffix] = m as unknown as [string, string, string];
  if (suffix in DECIMAL) return Math.trunc(Number(num) * (DECIMAL[suffix] as number));
  if (!/^\d+$/.test(num)) return undefined; // vLLM refuses "1.5K"
  return Number(num) * (BINARY[suffix] as number);
}

const isNullable = (spec: FlagSpec) => spec.nullable ?? (spec.default === undefined || spec.default === null);

/**
 * What to store for `text` typed into the input of `spec`: a typed value, the raw text (the core
 * will name the error), or undefined = remove the flag (empty input → vLLM's default).
 */
export function parseFlagText(spec: FlagSpec, text: string): FlagValue | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (t === 'None' && isNullable(spec)) return null;
  switch (spec.kind) {
    case 'int': {
      return /^[+-]?\d+$/.test(t) ? Number(t) : text;
    }
    case 'hr-int': {
      if (spec.name === 'max-model-len' && (t === 'auto' || t === '-1')) return -1;
      return parseHumanInt(t) ?? text;
    }
    case 'float': {
      const n = Number(t);
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) && Number.isFinite(n) ? n : text;
    }
    case 'bool':
    case 'store-true':
      return t === 'true' ? true : t === 'false' ? false : text;
    case 'list':
      return t.split(/[\s,]+/).filter(Boolean);
    default:
      // string, choice, json: as typed (choices and JSON are checked by the core).
      return text;
  }
}

/** Text shown in an input for a stored value. */
export function formatFlagValue(value: FlagValue | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (Array.isArray(value)) return value.join(' ');
  return String(value);
}

/** The default as vLLM's help shows it (for placeholders). */
export function defaultText(spec: FlagSpec): string {
  if (spec.default === undefined || spec.default === null) return 'None';
  return formatFlagValue(spec.default);
}

/** Does a flag match the search text (name with or without dashes/underscores, or help)? */
export function flagMatches(spec: FlagSpec, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/^-+/, '').replaceAll('_', '-');
  if (!q) return true;
  return (
    spec.name.includes(q) || spec.help.toLowerCase().includes(query.trim().toLowerCase()) || (spec.aliases ?? []).some((a) => a.includes(q))
  );
}

/** Groups in the catalog's (help) order with their flags; `filter` decides which flags show. */
export function groupFlags(
  groups: readonly { name: string; description: string }[],
  flags: readonly FlagSpec[],
  filter: (f: FlagSpec) => boolean,
): { name: string; description: string; flags: FlagSpec[] }[] {
  const by = new Map<string, FlagSpec[]>();
  for (const f of flags) {
    if (f.name === 'model' || !filter(f)) continue; // the model is the positional, edited above the flags
    const list = by.get(f.group) ?? [];
    list.push(f);
    by.set(f.group, list);
  }
  const out: { name: string; description: string; flags: FlagSpec[] }[] = [];
  for (const g of groups) {
    const list = by.get(g.name);
    if (list?.length) out.push({ ...g, flags: [...list].sort((a, b) => a.name.localeCompare(b.name)) });
    by.delete(g.name);
  }
  for (const [name, list] of by) out.push({ name, description: '', flags: [...list].sort((a, b) => a.name.localeCompare(b.name)) });
  return out;
}
