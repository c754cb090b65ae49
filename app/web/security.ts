// Pure policy for the web shell: which hosts count as loopback, how tokens are compared, which
// Origins may open the WebSocket, and the headers every response carries. server.ts wires these to
// Node's http server; web.test.ts covers them through real requests.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TOKEN_COOKIE } from '../contract/wire';

/** 32 random bytes as hex: the same strength Jupyter uses for its start-URL token. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Tokens a user may pass with `--token` / VLLM_PANEL_TOKEN: URL-safe without escaping (they end up
 * in the start URL and a cookie) and long enough not to be guessed over the network.
 */
export const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,256}$/;

/**
 * Constant-time comparison. Both sides are hashed first so timingSafeEqual sees equal lengths and
 * the time taken does not reveal the token's length either.
 */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Cookies are scoped by host, not by port, so two panels on one machine (or two SSH tunnels on
 * localhost) would overwrite each other's `vllm_panel_token`. The port suffix keeps them apart,
 * the way Jupyter names its cookies `username-localhost-8888`.
 */
export function tokenCookieName(port: number): string {
  return `${TOKEN_COOKIE}_${port}`;
}

/** Parses a Cookie header into name → value (first occurrence wins; malformed parts skipped). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Hosts that only this machine can reach: localhost, 127.0.0.0/8, ::1 (and IPv4-mapped 127/8). */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host.trim().toLowerCase());
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return /^127(\.\d{1,3}){3}$/.test(v4);
}

/** Binding to these listens on every interface. */
export function isWildcardHost(host: string): boolean {
  const h = stripBrackets(host.trim());
  return h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0';
}

/** `host` as it goes into a URL: IPv6 literals get brackets. */
export function urlHost(host: string): string {
  const h = stripBrackets(host);
  return h.includes(':') ? `[${h}]` : h;
}

/**
 * A Host header as { hostname, host } (host keeps the port), or undefined when it is missing or
 * not a plain host[:port]. Browsers always send one; anything odd is refused rather than guessed.
 */
export function parseHostHeader(value: string | undefined): { hostname: string; host: string } | undefined {
  if (!value || value.length > 300 || !/^[A-Za-z0-9.\-:[\]]+$/.test(value)) return undefined;
  try {
    const u = new URL(`http://${value}`);
    if (u.username || u.password || u.pathname !== '/') return undefined;
    return { hostname: u.hostname, host: u.host };
  } catch {
    return undefined;
  }
}

/**
 * May a request that arrived with this Host header be served? When the shell is bound to loopback,
 * only loopback names are accepted: a DNS-rebinding page (evil.example resolving to 127.0.0.1)
 * arrives with its own name in Host and is refused before the token is even looked at.
 */
export function hostAllowed(bindHost: string, hostHeader: string | undefined): boolean {
  const parsed = parseHostHeader(hostHeader);
  if (!parsed) return false;
  return isLoopbackHost(bindHost) ? isLoopbackHost(parsed.hostname) : true;
}

/**
 * May a WebSocket handshake with this Origin be accepted? Browsers send Origin on every WebSocket;
 * a page from another origin (another local web app on a different port shares our cookie, since
 * cookies ignore ports) must not drive the panel. The Origin must name exactly the host:port the
 * browser connected to (the Host header), so SSH tunnels on another local port keep working, and
 * on a loopback bind that name must itself be loopback (localhost and 127.0.0.1 are equivalent).
 */
export function originAllowed(bindHost: string, origin: string | undefined, hostHeader: string | undefined): boolean {
  if (!origin) return false;
  const host = parseHostHeader(hostHeader);
  if (!host) return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
  if (o.host.toLowerCase() !== host.host.toLowerCase()) return false;
  return isLoopbackHost(bindHost) ? isLoopbackHost(o.hostname) : true;
}

/**
 * The page's CSP. Same intent as the Electron shell's (no inline or eval'd script, no frames, no
 * forms, nothing from other origins), except that the web renderer needs its own WebSocket:
 * `connect-src 'self'` covers ws: on the same host:port in CSP3 browsers, and the explicit
 * ws://host entry covers older ones. `hostHeader` comes from parseHostHeader, so it is a plain
 * host[:port] and cannot inject policy. Styles allow 'unsafe-inline' because charting and
 * virtualised lists set inline styles (same reason as electron/main/security.ts).
 */
export function contentSecurityPolicy(hostHeader: string | undefined): string {
  const host = parseHostHeader(hostHeader)?.host;
  const connect = host ? `connect-src 'self' ws://${host} wss://${host}` : "connect-src 'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    connect,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every HTTP response, including 401s and redirects. */
export function securityHeaders(hostHeader: string | undefined): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(hostHeader),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // Older browsers that ignore CSP frame-ancestors.
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}
