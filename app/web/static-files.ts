// Maps a request path to a file of the built renderer (dist/renderer), refusing anything outside it.
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup =
  | { kind: 'file'; path: string; size: number; contentType: string; spaFallback: boolean }
  | { kind: 'not_found' }
  | { kind: 'bad_request' };

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function regularFile(root: string, p: string): Promise<{ path: string; size: number } | undefined> {
  try {
    // realpath: a symlink inside dist/renderer must not lead outside it either.
    const real = await realpath(p);
    if (!inside(root, real)) return undefined;
    const st = await stat(real);
    return st.isFile() ? { path: real, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves `pathname` (the raw, still percent-encoded URL path) under `root` (already a realpath).
 * Directories serve their index.html; unknown paths without a file extension get the app's
 * index.html (SPA fallback) so deep links and reloads work; unknown assets are 404s.
 */
export async function lookupStatic(root: string, pathname: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad_request' };
  }
  // NUL, backslashes (Windows separators) and `..` segments never name one of our files.
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return { kind: 'bad_request' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { kind: 'bad_request' };
  // Dotfiles (.env, .git) are never part of a Vite build; refusing them is cheaper than auditing.
  if (segments.some((s) => s.startsWith('.'))) return { kind: 'not_found' };

  const target = join(root, ...segments);
  if (!inside(root, target)) return { kind: 'bad_request' };

  const direct = (await regularFile(root, target)) ?? (await regularFile(root, join(target, 'index.html')));
  if (direct) return { kind: 'file', ...direct, contentType: contentTypeFor(direct.path), spaFallback: false };

  const last = segments.at(-1) ?? '';
  if (extname(last) === '') {
    const index = await regularFile(root, join(root, 'index.html'));
    if (index) return { kind: 'file', ...index, contentType: contentTypeFor(index.path), spaFallback: true };
  }
  return { kind: 'not_found' };
}
