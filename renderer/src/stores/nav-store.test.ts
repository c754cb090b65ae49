import { describe, expect, it } from 'vitest';
import { hashForPage, type KeyLike, PAGES, pageForShortcut, pageFromHash, useNavStore } from './nav-store';

const key = (k: Partial<KeyLike>): KeyLike => ({ key: '', altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...k });

describe('hash routing', () => {
  it('maps hashes to pages and back', () => {
    for (const p of PAGES) expect(pageFromHash(hashForPage(p.id))).toBe(p.id);
    expect(pageFromHash('#/chat/conv-1')).toBe('chat');
    expect(pageFromHash('#logs')).toBe('logs');
    expect(pageFromHash('#/metrics?window=5m')).toBe('metrics');
  });

  it('falls back to Launch for empty or unknown hashes', () => {
    expect(pageFromHash('')).toBe('launch');
    expect(pageFromHash('#/')).toBe('launch');
    expect(pageFromHash('#/settings')).toBe('launch');
    expect(pageFromHash('#/__proto__')).toBe('launch');
  });

  it('the store follows hash changes and navigate() changes the page', () => {
    useNavStore.getState().syncFromHash('#/bench');
    expect(useNavStore.getState().page).toBe('bench');
    useNavStore.getState().navigate('logs'); // no window in node: only the store changes
    expect(useNavStore.getState().page).toBe('logs');
  });
});

describe('keyboard shortcuts', () => {
  it('Alt+N and Ctrl+N pick the Nth page', () => {
    expect(pageForShortcut(key({ key: '1', code: 'Digit1', altKey: true }))).toBe('launch');
    expect(pageForShortcut(key({ key: '5', code: 'Digit5', ctrlKey: true }))).toBe('bench');
    expect(pageForShortcut(key({ key: '3', altKey: true }))).toBe('metrics');
  });

  it('uses the physical digit key when the layout types something else', () => {
    // e.g. French AZERTY: the "2" key types "é"
    expect(pageForShortcut(key({ key: 'é', code: 'Digit2', altKey: true }))).toBe('logs');
  });

  it('ignores plain digits, AltGr (Ctrl+Alt), Shift/Meta combinations and digits past the last page', () => {
    expect(pageForShortcut(key({ key: '1', code: 'Digit1' }))).toBeNull();
    expect(pageForShortcut(key({ key: '1', code: 'Digit1', altKey: true, ctrlKey: true }))).toBeNull();
    expect(pageForShortcut(key({ key: '!', code: 'Digit1', altKey: true, shiftKey: true }))).toBeNull();
    expect(pageForShortcut(key({ key: '1', code: 'Digit1', ctrlKey: true, metaKey: true }))).toBeNull();
    expect(pageForShortcut(key({ key: '6', code: 'Digit6', altKey: true }))).toBeNull();
    expect(pageForShortcut(key({ key: 'a', code: 'KeyA', altKey: true }))).toBeNull();
  });
});
