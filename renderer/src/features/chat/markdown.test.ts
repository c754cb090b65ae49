import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown';
import { parseBlocks, parseInline, safeHref } from './markdown';

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe('markdown parser', () => {
  it('fenced code keeps its text verbatim, with the language; an open fence (still streaming) is code', () => {
    expect(parseBlocks('Intro\n\n```python\nx = 1  # **not bold**\n```\nAfter')).toEqual([
      { t: 'p', c: [{ t: 'text', v: 'Intro' }] },
      { t: 'code', lang: 'python', v: 'x = 1  # **not bold**', open: false },
      { t: 'p', c: [{ t: 'text', v: 'After' }] },
    ]);
    expect(parseBlocks('```js\nlet a =')).toEqual([{ t: 'code', lang: 'js', v: 'let a =', open: true }]);
  });

  it('headings, rules, quotes, lists (bullets, numbers with start), tables', () => {
    const b = parseBlocks('# Title\n---\n> quoted *text*\n\n- one\n- two\n  more\n\n3. three\n4. four\n\n| a | b |\n|:--|--:|\n| 1 | 2 |');
    expect(b.map((x) => x.t)).toEqual(['h', 'hr', 'quote', 'list', 'list', 'table']);
    expect(b[3]).toMatchObject({
      t: 'list',
      ordered: false,
      items: [[{ t: 'p' }], [{ t: 'p', c: [{ t: 'text', v: 'two' }, { t: 'br' }, { t: 'text', v: 'more' }] }]],
    });
    expect(b[4]).toMatchObject({ t: 'list', ordered: true, start: 3 });
    expect(b[5]).toMatchObject({ t: 'table', align: ['left', 'right'], head: [[{ t: 'text', v: 'a' }], [{ t: 'text', v: 'b' }]] });
  });

  it('inline: code, bold, italic, strike, links, autolinks; snake_case and 2*3*4 stay text', () => {
    expect(parseInline('`a*b*` **bold** *it* ~~gone~~ [x](https://e.com) see https://vllm.ai.')).toEqual([
      { t: 'code', v: 'a*b*' },
      { t: 'text', v: ' ' },
      { t: 'strong', c: [{ t: 'text', v: 'bold' }] },
      { t: 'text', v: ' ' },
      { t: 'em', c: [{ t: 'text', v: 'it' }] },
      { t: 'text', v: ' ' },
      { t: 'del', c: [{ t: 'text', v: 'gone' }] },
      { t: 'text', v: ' ' },
      { t: 'link', href: 'https://e.com', c: [{ t: 'text', v: 'x' }] },
      { t: 'text', v: ' see ' },
      { t: 'link', href: 'https://vllm.ai', c: [{ t: 'text', v: 'https://vllm.ai' }] },
      { t: 'text', v: '.' },
    ]);
    expect(parseInline('max_num_seqs and 2 * 3 * 4')).toEqual([{ t: 'text', v: 'max_num_seqs and 2 * 3 * 4' }]);
    expect(parseInline('an unclosed **bold')).toEqual([{ t: 'text', v: 'an unclosed **bold' }]);
  });

  it('only http(s) and mailto become links', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' data:text/html,x')).toBeNull();
    expect(safeHref('https://x.org')).toBe('https://x.org');
    expect(parseInline('[click](javascript:alert(1))')).toEqual([
      { t: 'text', v: 'click' },
      { t: 'text', v: ')' },
    ]);
  });
});

describe('Markdown component', () => {
  it('never turns reply text into HTML', () => {
    const out = html('<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n```html\n<b>hi</b>\n```');
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<b>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&lt;b&gt;hi&lt;/b&gt;');
  });

  it('renders code blocks with a language label and a copy button; links open outside', () => {
    const out = html('Run:\n\n```bash\nvllm serve\n```\n\n[docs](https://docs.vllm.ai)');
    expect(out).toContain('<code class="language-bash">vllm serve</code>');
    expect(out).toContain('class="md-code__lang">bash<');
    expect(out).toContain('aria-label="Copy bash"');
    expect(out).toContain('<a href="https://docs.vllm.ai" target="_blank" rel="noopener noreferrer">docs</a>');
  });
});
