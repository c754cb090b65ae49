import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  allowPermission,
  appIndexUrl,
  CONTENT_SECURITY_POLICY,
  decideWindowOpen,
  externalHttpUrl,
  guardNavigation,
  isAppUrl,
  windowOptions,
  withCsp,
} from './security';

const indexUrl = appIndexUrl('/opt/vLLM Panel/resources/app.asar/dist/renderer/index.html');

function directives(csp: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) m.set(name, values);
  }
  return m;
}

describe('windowOptions', () => {
  it('isolates and sandboxes the page, with only our preload', () => {
    const o = windowOptions('/app/dist/electron/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(o.show).toBe(false);
  });
});

describe('CSP', () => {
  const d = directives(CONTENT_SECURITY_POLICY);

  it('denies by default and allows scripts only from the app itself', () => {
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline/);
  });

  it('gives the renderer no network (everything goes through IPC)', () => {
    expect(d.get('connect-src')).toEqual(["'none'"]);
  });

  it('withCsp adds the header and replaces any CSP the response had, whatever its casing', () => {
    const h = withCsp({ 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html', 'X-Many': ['a', 'b'] });
    expect(h).toEqual({
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      'Content-Type': ['text/html'],
      'X-Many': ['a', 'b'],
    });
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  const rendererHtml = new URL('../../renderer/index.html', import.meta.url);
  it('the renderer page carries a CSP meta tag no looser than the header for scripts', () => {
    // The meta tag is what applies to the file:// page (there are no response headers there).
    expect(existsSync(rendererHtml), 'renderer/index.html must exist').toBe(true);
    const html = readFileSync(rendererHtml, 'utf8');
    const meta = /<meta\s+http-equiv=(["'])Content-Security-Policy\1\s+content=(["'])(.*?)\2/is.exec(html);
    expect(meta, 'renderer/index.html needs <meta http-equiv="Content-Security-Policy" content="...">').not.toBeNull();
    const m = directives(meta?.[3] ?? '');
    const scripts = m.get('script-src') ?? m.get('default-src') ?? [];
    expect(scripts).toContain("'self'");
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(scripts).not.toContain('*');
    expect(m.get('object-src') ?? m.get('default-src')).toEqual(["'none'"]);
  });
});

describe('isAppUrl', () => {
  it('accepts our index.html with any hash or query (in-app routes)', () => {
    expect(isAppUrl(indexUrl, indexUrl)).toBe(true);
    expect(isAppUrl(`${indexUrl}#/metrics`, indexUrl)).toBe(true);
    expect(isAppUrl(`${indexUrl}?page=chat`, indexUrl)).toBe(true);
  });

  it('rejects other files, other schemes and garbage', () => {
    expect(isAppUrl(appIndexUrl('/opt/vLLM Panel/resources/app.asar/dist/renderer/other.html'), indexUrl)).toBe(false);
    expect(isAppUrl('file:///etc/passwd', indexUrl)).toBe(false);
    expect(isAppUrl(indexUrl.replace('file://', 'https://evil.example'), indexUrl)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:8000/', indexUrl)).toBe(false);
    expect(isAppUrl('devtools://devtools/bundled/inspector.html', indexUrl)).toBe(false);
    expect(isAppUrl('not a url', indexUrl)).toBe(false);
    expect(isAppUrl('', indexUrl)).toBe(false);
  });

  it('compares decoded paths, so a space in the install folder still matches', () => {
    expect(indexUrl).toContain('vLLM%20Panel');
    expect(isAppUrl('file:///opt/vLLM%20Panel/resources/app.asar/dist/renderer/index.html', indexUrl)).toBe(true);
  });
});

describe('external links', () => {
  it('externalHttpUrl accepts http(s) only, without credentials', () => {
    expect(externalHttpUrl('https://docs.vllm.ai/en/latest/')).toBe('https://docs.vllm.ai/en/latest/');
    expect(externalHttpUrl('http://127.0.0.1:8000/metrics')).toBe('http://127.0.0.1:8000/metrics');
    expect(externalHttpUrl('file:///etc/passwd')).toBeUndefined();
    expect(externalHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(externalHttpUrl('smb://server/share')).toBeUndefined();
    expect(externalHttpUrl('vscode://file/x')).toBeUndefined();
    expect(externalHttpUrl('https://github.com@evil.example/')).toBeUndefined();
    expect(externalHttpUrl('nonsense')).toBeUndefined();
  });

  it('decideWindowOpen denies every new window and hands http(s) links to the browser', () => {
    const open = vi.fn(() => Promise.resolve());
    expect(decideWindowOpen('https://huggingface.co/nvidia/NVIDIA-Nemotron-Nano-12B-v2', open)).toEqual({ action: 'deny' });
    expect(decideWindowOpen('file:///home/user/.ssh/id_rsa', open)).toEqual({ action: 'deny' });
    expect(decideWindowOpen('about:blank', open)).toEqual({ action: 'deny' });
    expect(open.mock.calls).toEqual([['https://huggingface.co/nvidia/NVIDIA-Nemotron-Nano-12B-v2']]);
  });

  it('a failing openExternal does not surface as an unhandled rejection', async () => {
    const open = vi.fn(() => Promise.reject(new Error('no browser')));
    expect(decideWindowOpen('https://example.com/', open)).toEqual({ action: 'deny' });
    await new Promise((r) => setTimeout(r, 0));
    expect(open).toHaveBeenCalledOnce();
  });
});

describe('guardNavigation', () => {
  const nav = (url: string) => {
    const event = { preventDefault: vi.fn() };
    const open = vi.fn();
    guardNavigation(event, url, indexUrl, open);
    return { prevented: event.preventDefault.mock.calls.length > 0, opened: open.mock.calls.map((c) => c[0]) };
  };

  it('lets the window reload its own page', () => {
    expect(nav(`${indexUrl}#/chat`)).toEqual({ prevented: false, opened: [] });
  });

  it('cancels navigation away and opens web links in the browser instead', () => {
    expect(nav('https://docs.vllm.ai/')).toEqual({ prevented: true, opened: ['https://docs.vllm.ai/'] });
    expect(nav('file:///etc/passwd')).toEqual({ prevented: true, opened: [] });
    expect(nav('data:text/html,<script>alert(1)</script>')).toEqual({ prevented: true, opened: [] });
  });
});

describe('permissions', () => {
  it('denies everything except clipboard writes from our own window', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'usb', 'serial', 'unknown']) {
      expect(allowPermission(p, true)).toBe(false);
    }
    expect(allowPermission('clipboard-sanitized-write', true)).toBe(true);
    expect(allowPermission('clipboard-sanitized-write', false)).toBe(false);
  });
});
