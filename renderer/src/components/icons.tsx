// Small stroke icons (16 px grid) drawn here instead of pulling in an icon library.
import type { ReactNode } from 'react';

/** The shared 16 px stroke frame; feature icon sets draw inside it. */
export function Icon({ children, size = 16 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const LaunchIcon = () => (
  <Icon>
    <path d="M8 1.5c2.2 1.5 3.2 3.9 3 7.2L9.6 10.5H6.4L5 8.7c-.2-3.3.8-5.7 3-7.2z" />
    <path d="M5.2 8.4 3.5 10.2v2.1l2.6-1.4M10.8 8.4l1.7 1.8v2.1l-2.6-1.4M7 12.8l1 1.7 1-1.7" />
    <circle cx="8" cy="5.9" r="1.1" />
  </Icon>
);
export const LogsIcon = () => (
  <Icon>
    <rect x="2" y="2.5" width="12" height="11" rx="1.5" />
    <path d="M4.5 5.5h7M4.5 8h5M4.5 10.5h6" />
  </Icon>
);
export const MetricsIcon = () => (
  <Icon>
    <path d="M2 13.5h12" />
    <path d="M2.5 11 6 7l2.5 2.5L13.5 4" />
  </Icon>
);
export const ChatIcon = () => (
  <Icon>
    <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" />
  </Icon>
);
export const BenchIcon = () => (
  <Icon>
    <path d="M2.5 11a5.5 5.5 0 1 1 11 0" />
    <path d="M8 11l3-3.5" />
    <circle cx="8" cy="11" r="0.75" />
  </Icon>
);
export const GpuIcon = () => (
  <Icon>
    <rect x="2" y="4" width="12" height="8" rx="1" />
    <rect x="4.5" y="6" width="4" height="4" rx="0.5" />
    <path d="M11 6.5v3M4 12v1.5M7 12v1.5M10 12v1.5" />
  </Icon>
);
export const ProfileIcon = () => (
  <Icon>
    <path d="M3 4h10M3 8h10M3 12h10" />
    <circle cx="6" cy="4" r="1.2" fill="var(--surface)" />
    <circle cx="10.5" cy="8" r="1.2" fill="var(--surface)" />
    <circle cx="5" cy="12" r="1.2" fill="var(--surface)" />
  </Icon>
);
export const GaugeIcon = () => (
  <Icon>
    <rect x="2" y="5" width="12" height="6" rx="1" />
    <path d="M4 7v2M6 7v2M8 7v2" />
  </Icon>
);
export const SunIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="2.75" />
    <path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1" />
  </Icon>
);
export const MoonIcon = () => (
  <Icon>
    <path d="M13 9.5A5.5 5.5 0 0 1 6.5 3a5.5 5.5 0 1 0 6.5 6.5z" />
  </Icon>
);
export const MonitorIcon = () => (
  <Icon>
    <rect x="1.75" y="2.5" width="12.5" height="8.5" rx="1" />
    <path d="M6 14h4M8 11v3" />
  </Icon>
);
export const PlayIcon = () => (
  <Icon size={14}>
    <path d="M5 3.5v9l7-4.5z" />
  </Icon>
);
export const StopIcon = () => (
  <Icon size={14}>
    <rect x="4" y="4" width="8" height="8" rx="1" />
  </Icon>
);
export const BellIcon = () => (
  <Icon size={14}>
    <path d="M4 11V7a4 4 0 0 1 8 0v4l1 1.5H3zM6.5 14h3" />
  </Icon>
);
export const CloseIcon = () => (
  <Icon size={14}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Icon>
);
