import type { ReactNode } from 'react';

export function PageHeader({ title, subtitle, actions, id }: { title: string; subtitle?: string; actions?: ReactNode; id: string }) {
  return (
    <div className="page-header">
      <div>
        <h1 id={id} className="page-header__title">
          {title}
        </h1>
        {subtitle && <p className="page-header__subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-header__actions">{actions}</div>}
    </div>
  );
}
