import { type ReactNode, useMemo, useState } from 'react';
import { type Block, type Inline, parseBlocks } from './markdown';

function inlines(nodes: Inline[], key = ''): ReactNode[] {
  return nodes.map((n, i) => {
    const k = `${key}${i}`;
    switch (n.t) {
      case 'text':
        return n.v;
      case 'code':
        return <code key={k}>{n.v}</code>;
      case 'strong':
        return <strong key={k}>{inlines(n.c, `${k}.`)}</strong>;
      case 'em':
        return <em key={k}>{inlines(n.c, `${k}.`)}</em>;
      case 'del':
        return <del key={k}>{inlines(n.c, `${k}.`)}</del>;
      case 'link':
        return (
          <a key={k} href={n.href} target="_blank" rel="noopener noreferrer">
            {inlines(n.c, `${k}.`)}
          </a>
        );
      case 'br':
        return <br key={k} />;
    }
    return null;
  });
}

/** A fenced code block with its language and a copy button. */
function CodeBlock({ lang, code, open }: { lang: string; code: string; open: boolean }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(code).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1200);
      },
      () => {},
    );
  };
  return (
    <div className="md-code" data-open={open || undefined}>
      <div className="md-code__bar">
        <span className="md-code__lang">{lang || 'text'}</span>
        <button type="button" className="btn btn--ghost btn--xs" onClick={copy} aria-label={`Copy ${lang || 'code'}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre>
        <code className={lang ? `language-${lang}` : undefined}>{code}</code>
      </pre>
    </div>
  );
}

function blocks(list: Block[], key = ''): ReactNode[] {
  return list.map((b, i) => {
    const k = `${key}${i}`;
    switch (b.t) {
      case 'p':
        return <p key={k}>{inlines(b.c)}</p>;
      case 'h': {
        const H = `h${Math.min(6, b.level + 2)}` as 'h3';
        return <H key={k}>{inlines(b.c)}</H>;
      }
      case 'code':
        return <CodeBlock key={k} lang={b.lang} code={b.v} open={b.open} />;
      case 'quote':
        return <blockquote key={k}>{blocks(b.c, `${k}.`)}</blockquote>;
      case 'list': {
        // biome-ignore lint/suspicious/noArrayIndexKey: list items are re-parsed from the text; position is identity
        const items = b.items.map((it, j) => <li key={`${k}.${j}`}>{blocks(it, `${k}.${j}.`)}</li>);
        return b.ordered ? (
          <ol key={k} start={b.start === 1 ? undefined : b.start}>
            {items}
          </ol>
        ) : (
          <ul key={k}>{items}</ul>
        );
      }
      case 'hr':
        return <hr key={k} />;
      case 'table':
        return (
          <div key={k} className="md-table">
            <table>
              <thead>
                <tr>
                  {b.head.map((c, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a column's position is its identity
                    <th key={j} style={b.align[j] ? { textAlign: b.align[j]! } : undefined}>
                      {inlines(c)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.rows.map((r, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are re-parsed from the text; position is identity
                  <tr key={j}>
                    {r.map((c, m) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: a column's position is its identity
                      <td key={m} style={b.align[m] ? { textAlign: b.align[m]! } : undefined}>
                        {inlines(c)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
    }
    return null;
  });
}

/** Renders Markdown text as React elements (never as HTML). */
export function Markdown({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const tree = useMemo(() => parseBlocks(text), [text]);
  return (
    <div className={`md${className ? ` ${className}` : ''}`} data-testid={testId}>
      {blocks(tree)}
    </div>
  );
}
