// Icons only the server views use (same 16 px stroke style as components/icons.tsx).
import type { ReactNode } from 'react';
import { Icon as BaseIcon } from '../../components/icons';

const Icon = ({ children, size = 14 }: { children: ReactNode; size?: number }) => <BaseIcon size={size}>{children}</BaseIcon>;

export const RestartIcon = () => (
  <Icon>
    <path d="M12.5 8a4.5 4.5 0 1 1-1.3-3.2" />
    <path d="M12.5 2.5v2.8H9.7" />
  </Icon>
);
export const ServerIcon = () => (
  <Icon size={16}>
    <rect x="2" y="2.5" width="12" height="4.5" rx="1" />
    <rect x="2" y="9" width="12" height="4.5" rx="1" />
    <path d="M4.5 4.75h.01M4.5 11.25h.01" />
  </Icon>
);
export const CheckIcon = () => (
  <Icon size={12}>
    <path d="M3 8.5l3 3 7-7" />
  </Icon>
);
export const CrossIcon = () => (
  <Icon size={12}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Icon>
);
export const WarnIcon = () => (
  <Icon>
    <path d="M8 2.2 14.2 13H1.8z" />
    <path d="M8 6.5v3M8 11.3h.01" />
  </Icon>
);
