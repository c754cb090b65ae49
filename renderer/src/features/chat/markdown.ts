// A small Markdown parser for model replies: fenced code, headings, lists, quotes, rules, GFM
// tables, paragraphs; inline code, bold, italic, strikethrough, links. It produces a plain tree
// that Markdown.tsx turns into React elements — text is never parsed as HTML (no
// dangerouslySetInnerHTML anywhere), so a reply cannot inject markup. Tolerates half-written
// input, since it re-renders while the reply streams (an open ``` fence is code until it closes).

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'del'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'br' };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: 1 | 2 | 3 | 4 | 5 | 6; c: Inline[] }
  | { t: 'code'; lang: string; v: string; open: boolean }
  | { t: 'quote'; c: Block[] }
  | { t: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { t: 'hr' }
  | { t: 'table'; align: ('left' | 'center' | 'right' | null)[]; head: Inline[][]; rows: Inline[][][] };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)?.*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const BULLET = /^(\s*)([-*+])\s+(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

/** Only these link targets become links; anything else (javascript:, data:, file:) stays text. */
export function safeHref(href: string): string | null {
  const h = href.trim();
  return /^(https?:\/\/|mailto:)/i.test(h) ? h : null;
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (s[i] === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += s[i];
  }
  cells.push(cur.trim());
  return cells;
}

const isBlockStart = (line: string) =>
  FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || BULLET.test(line) || ORDERED.test(line);

export function parseBlocks(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      let open = true;
      while (i < lines.length) {
        const l = lines[i]!;
        if (
          l.trim().startsWith(marker[0]!.repeat(marker.length)) &&
          l
            .trim()
            .replace(new RegExp(`^\\${marker[0]}+`), '')
            .trim() === ''
        ) {
          open = false;
          i++;
          break;
        }
        body.push(l);
        i++;
      }
      out.push({ t: 'code', lang: fence[2] ?? '', v: body.join('\n'), open });
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      out.push({ t: 'h', level: h[1]!.length as 1, c: parseInline(h[2]!) });
      i++;
      continue;
    }
    if (HR.test(line)) {
      out.push({ t: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '') {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!);
        i++;
      }
      out.push({ t: 'quote', c: parseBlocks(body.join('\n')) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    if (bullet || ordered) {
      const isOrdered = !bullet;
      const indent = (bullet ?? ordered)![1]!.length;
      const items: string[][] = [];
      while (i < lines.length) {
        const l = lines[i]!;
        const b = BULLET.exec(l);
        const o = ORDERED.exec(l);
        const m = isOrdered ? o : b;
        if (m && m[1]!.length <= indent + 1) {
          items.push([m[3]!]);
          i++;
          continue;
        }
        if (l.trim() === '') {
          // A blank line ends the list unless the next line continues it (indented or a new item).
          const next = lines[i + 1];
          if (next !== undefined && (/^\s{2,}\S/.test(next) || (isOrdered ? ORDERED : BULLET).test(next))) {
            items[items.length - 1]!.push('');
            i++;
            continue;
          }
          break;
        }
        if (/^\s+\S/.test(l) || !isBlockStart(l)) {
          // Continuation (indented, or a lazy paragraph line): strip up to the item's indent.
          items[items.length - 1]!.push(l.replace(new RegExp(`^\\s{0,${indent + 4}}`), ''));
          i++;
          continue;
        }
        break;
      }
      out.push({
        t: 'list',
        ordered: isOrdered,
        start: isOrdered ? Number(ordered![2]) : 1,
        items: items.map((it) => parseBlocks(it.join('\n'))),
      });
      continue;
    }
    // GFM table: a header row, then a separator row.
    if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]!) && lines[i + 1]!.includes('-')) {
      const head = splitRow(line);
      const align = splitRow(lines[i + 1]!).map((c) => {
        const l = c.startsWith(':');
        const r = c.endsWith(':');
        return l && r ? 'center' : r ? 'right' : l ? 'left' : null;
      });
      i += 2;
      const rows: Inline[][][] = [];
      while (i < lines.length && lines[i]!.includes('|') && lines[i]!.trim() !== '') {
        const cells = splitRow(lines[i]!);
        rows.push(head.map((_, k) => parseInline(cells[k] ?? '')));
        i++;
      }
      out.push({ t: 'table', align: head.map((_, k) => align[k] ?? null), head: head.map(parseInline), rows });
      continue;
    }
    // Paragraph: until a blank line or another block starts.
    const para: string[] = [line];
    i++;
    while (i < lines.length && lines[i]!.trim() !== '' && !isBlockStart(lines[i]!)) {
      para.push(lines[i]!);
      i++;
    }
    out.push({ t: 'p', c: parseInline(para.join('\n')) });
  }
  return out;
}

/** Finds the closing delimiter `d` after `from` (not escaped), or -1. */
function findClose(s: string, d: string, from: number): number {
  for (let j = from; j <= s.length - d.length; j++) {
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s.startsWith(d, j)) return j;
  }
  return -1;
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ t: 'text', v: text });
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length && /[\\`*_~[\]()#+\-.!|>]/.test(s[i + 1]!)) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (ch === '\n') {
      flush();
      out.push({ t: 'br' });
      i++;
      continue;
    }
    if (ch === '`') {
      let n = 1;
      while (s[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      const end = s.indexOf(fence, i + n);
      if (end !== -1) {
        flush();
        out.push({ t: 'code', v: s.slice(i + n, end).replace(/^ (.*) $/s, '$1') });
        i = end + n;
        continue;
      }
      text += fence;
      i += n;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '**' || two === '__' || two === '~~') {
      const end = findClose(s, two, i + 2);
      if (end > i + 2) {
        flush();
        const inner = parseInline(s.slice(i + 2, end));
        out.push(two === '~~' ? { t: 'del', c: inner } : { t: 'strong', c: inner });
        i = end + 2;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && s[i + 1] !== ch && s[i + 1] !== undefined && s[i + 1] !== ' ') {
      // `_` only at a word boundary (snake_case stays text).
      const wordBefore = i > 0 && /\w/.test(s[i - 1]!);
      if (ch === '*' || !wordBefore) {
        const end = findClose(s, ch, i + 1);
        const after = end === -1 ? undefined : s[end + 1];
        if (end > i + 1 && s[end - 1] !== ' ' && (ch === '*' || after === undefined || !/\w/.test(after))) {
          flush();
          out.push({ t: 'em', c: parseInline(s.slice(i + 1, end)) });
          i = end + 1;
          continue;
        }
      }
    }
    if (ch === '[') {
      const close = findClose(s, ']', i + 1);
      if (close !== -1 && s[close + 1] === '(') {
        const end = s.indexOf(')', close + 2);
        if (end !== -1) {
          const href = safeHref(s.slice(close + 2, end).split(/\s+/)[0] ?? '');
          const label = parseInline(s.slice(i + 1, close));
          flush();
          if (href) out.push({ t: 'link', href, c: label });
          else out.push(...label);
          i = end + 1;
          continue;
        }
      }
    }
    if ((ch === 'h' || ch === 'H') && /^https?:\/\//i.test(s.slice(i, i + 8)) && (i === 0 || /[\s(]/.test(s[i - 1]!))) {
      const m = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/i.exec(s.slice(i));
      if (m) {
        flush();
        out.push({ t: 'link', href: m[0], c: [{ t: 'text', v: m[0] }] });
        i += m[0].length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}
