// Pure security policy for the Electron shell: window options, CSP, navigation, new windows,
// permissions. index.ts wires these to the real electron objects; the tests use fakes, so nothing
// here may import 'electron' at runtime (type-only imports are erased).
import { pathToFileURL } from 'node:url';
import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * In Electron the renderer talks to the core only through the preload's IPC bridge, so it needs
 * no network at all (`connect-src 'none'`); otherwise this matches the meta tag in
 * renderer/index.html (which also serves the web shell and so allows its WebSocket). Style
 * attributes that React sets go through the CSSOM, which CSP does not block, so no
 * 'unsafe-inline' anywhere. For file:// pages Chromium has no response headers to rewrite, so the
 * meta tag is what applies there; this header (set via session.webRequest) covers any response
 * that does pass through the network stack. Where both apply, the stricter of the two wins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Adds our CSP to a response's headers, replacing any CSP header the response had (any casing). */
export function withCsp(headers: Record<string, string | string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** The file:// URL of the renderer's index.html (what loadFile loads and what IPC senders must be). */
export function appIndexUrl(indexHtmlPath: string): string {
  return pathToFileURL(indexHtmlPath).href;
}

/** True when `url` is our own index.html; the hash and query (in-app routing) may differ. */
export function isAppUrl(url: string, indexUrl: string): boolean {
  let u: URL;
  let idx: URL;
  try {
    u = new URL(url);
    idx = new URL(indexUrl);
  } catch {
    return false;
  }
  return u.protocol === 'file:' && idx.protocol === 'file:' && u.host === idx.host && u.pathname === idx.pathname;
}

/** The normalised http(s) URL when `url` may be handed to the user's browser; else undefined. */
export function externalHttpUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  // Credentials in a link are a phishing pattern (https://trusted@evil/); never open those.
  if (u.username || u.password) return undefined;
  return u.href;
}

export type OpenExternal = (url: string) => unknown;

/**
 * setWindowOpenHandler: the app never opens a second Electron window. http(s) links go to the
 * user's browser; everything else (file:, javascript:, custom schemes) is dropped.
 */
export function decideWindowOpen(url: string, openExternal: OpenExternal): { action: 'deny' } {
  const external = externalHttpUrl(url);
  if (external) void Promise.resolve(openExternal(external)).catch(() => {});
  return { action: 'deny' };
}

/**
 * will-navigate / will-redirect: the window only ever shows our index.html. Any other target is
 * cancelled; http(s) targets (a clicked plain link) open in the browser instead.
 */
export function guardNavigation(event: { preventDefault(): void }, url: string, indexUrl: string, openExternal: OpenExternal): void {
  if (isAppUrl(url, indexUrl)) return;
  event.preventDefault();
  const external = externalHttpUrl(url);
  if (external) void Promise.resolve(openExternal(external)).catch(() => {});
}

/**
 * Permission requests and checks: everything is denied (no camera, mic, notifications, geolocation,
 * HID/USB/serial, ...), except writing text to the clipboard from our own window, which the
 * "copy command" buttons use. Reading the clipboard stays denied.
 */
export function allowPermission(permission: string, fromOurWindow: boolean): boolean {
  return fromOurWindow && permission === 'clipboard-sanitized-write';
}

/** BrowserWindow options: isolated, sandboxed, no Node in the page, only our preload. */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'vLLM Panel',
    // Shown on 'ready-to-show' so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#111418',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
