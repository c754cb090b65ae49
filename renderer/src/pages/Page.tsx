import type { ReactNode } from 'react';
import { PageHeader } from '../components/PageHeader';
import type { PageId } from '../stores/nav-store';

/** Shared page wrapper: the `page-<id>` test id, a labelled region and the page heading. */
export function Page({
  id,
  title,
  subtitle,
  actions,
  children,
}: {
  id: PageId;
  title: string;
  subtitle?: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const headingId = `page-${id}-title`;
  return (
    <section className={`page page--${id}`} data-testid={`page-${id}`} aria-labelledby={headingId}>
      <PageHeader id={headingId} title={title} subtitle={subtitle} actions={actions} />
      {children}
    </section>
  );
}
