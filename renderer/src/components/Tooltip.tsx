import { type ReactNode, useId } from 'react';

/**
 * A CSS tooltip shown on hover and on keyboard focus (a native `title` never shows for keyboard
 * users). The trigger gets the text as its accessible description through `describedBy`.
 */
export function Tooltip({ text, children, testId }: { text: string; children: (describedBy: string) => ReactNode; testId?: string }) {
  const id = useId();
  return (
    <span className="tooltip-host">
      {children(id)}
      <span role="tooltip" id={id} className="tooltip" data-testid={testId}>
        {text}
      </span>
    </span>
  );
}
