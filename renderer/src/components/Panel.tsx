import { type ReactNode, useId } from 'react';

/** A titled section of a page (the Launch page is built from these). */
export function Panel({
  title,
  icon,
  actions,
  children,
  testId,
  className,
}: {
  title: string;
  icon?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
  className?: string;
}) {
  const id = useId();
  return (
    <section className={`panel${className ? ` ${className}` : ''}`} aria-labelledby={id} data-testid={testId}>
      <header className="panel__header">
        <h2 id={id} className="panel__title">
          {icon}
          {title}
        </h2>
        {actions && <div className="panel__actions">{actions}</div>}
      </header>
      <div className="panel__body">{children}</div>
    </section>
  );
}
