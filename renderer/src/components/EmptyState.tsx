import type { ReactNode } from 'react';

/** What a page or panel shows before it has data: what it is for and what will appear here. */
export function EmptyState({
  icon,
  title,
  children,
  items,
  hint,
  testId,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  items?: readonly string[];
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty-state" data-testid={testId}>
      {icon && <div className="empty-state__icon">{icon}</div>}
      <h3 className="empty-state__title">{title}</h3>
      {children && <p className="empty-state__text">{children}</p>}
      {items && items.length > 0 && (
        <ul className="empty-state__list">
          {items.map((it) => (
            <li key={it}>{it}</li>
          ))}
        </ul>
      )}
      {hint && <p className="empty-state__hint">{hint}</p>}
    </div>
  );
}
