import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { BuiltCommand, CatalogInfo, FlagSpec, Profile } from '../../stores/profile-store';
import { defaultText, flagMatches, formatFlagValue, groupFlags, parseFlagText, parseHumanInt } from './flag-text';
import { ProfilePanelView, type ProfilePanelViewProps } from './ProfilePanel';
import { profileSummary } from './ProfilePicker';

const spec = (name: string, kind: FlagSpec['kind'], group: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({
  name,
  kind,
  group,
  help: `help of ${name}`,
  ...extra,
});

const catalog: CatalogInfo = {
  version: '0.13.0',
  source: 'builtin',
  notes: [],
  groups: [
    { name: 'Frontend', description: 'frontend' },
    { name: 'CacheConfig', description: 'cache' },
    { name: 'SchedulerConfig', description: 'scheduler' },
  ],
  flags: [
    spec('model', 'string', 'ModelConfig'),
    spec('port', 'int', 'Frontend', { default: 8000 }),
    spec('kv-cache-dtype', 'choice', 'CacheConfig', { default: 'auto', choices: ['auto', 'fp8', 'fp8_e5m2'] }),
    spec('enable-prefix-caching', 'bool', 'CacheConfig'),
    spec('max-num-seqs', 'int', 'SchedulerConfig'),
    spec('max-model-len', 'hr-int', 'SchedulerConfig'),
    spec('max-num-batched-tokens', 'hr-int', 'SchedulerConfig'),
    spec('served-model-name', 'list', 'Frontend'),
  ],
  removed: [],
};

const throughput: Profile = {
  id: 'throughput',
  name: 'THROUGHPUT',
  builtin: true,
  description: 'Many concurrent requests',
  model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
  flags: {
    'max-num-seqs': 64,
    'max-num-batched-tokens': 16384,
    'max-model-len': 32768,
    'kv-cache-dtype': 'fp8_e5m2',
    'enable-prefix-caching': true,
  },
  env: { OMP_NUM_THREADS: '1' },
  extraArgs: [],
};
const mine: Profile = { ...throughput, id: 'user-1', name: 'Mine', builtin: false };

const command: BuiltCommand = {
  argv: ['vllm', 'serve', 'm'],
  env: {},
  issues: [
    { field: 'max-num-seqs', severity: 'error', kind: 'bad_type', message: "--max-num-seqs: invalid int value: 'lots'" },
    { field: 'env:1BAD', severity: 'error', kind: 'env', message: '"1BAD" is not a valid environment variable name.' },
    { field: 'host', severity: 'warning', kind: 'security', message: 'vLLM will listen on 0.0.0.0 without --api-key' },
  ],
  display: "CUDA_VISIBLE_DEVICES=0 \\\n  vllm serve 'it'\\''s' \\\n  --max-num-seqs lots",
  gpus: [0],
  dataParallelSize: 1,
  vllmVersion: '0.13.0',
};

const noop = () => {};
const base: ProfilePanelViewProps = {
  profiles: [throughput, mine],
  status: 'ready',
  error: null,
  selectedId: 'throughput',
  base: throughput,
  current: { ...throughput, flags: { ...throughput.flags, 'max-num-seqs': 'lots' }, env: { ...throughput.env, '1BAD': 'x' } },
  catalog,
  command,
  commandError: null,
  building: false,
  exposeOnNetwork: false,
  apiKey: '',
  diff: null,
  importOpen: false,
  importResult: null,
  importText: '',
  actions: new Proxy({} as ProfilePanelViewProps['actions'], { get: () => noop }),
};
const render = (p: Partial<ProfilePanelViewProps> = {}) => renderToStaticMarkup(createElement(ProfilePanelView, { ...base, ...p }));

describe('ProfilePanelView', () => {
  it('shows a card per profile with actions, the selected one marked', () => {
    const html = render();
    expect(html).toContain('data-testid="profile-card-throughput"');
    expect(html).toContain('data-testid="profile-card-user-1"');
    expect(html).toMatch(/data-testid="profile-card-throughput" data-selected="true"/);
    expect(html).toContain('64 seqs · 16k batch · 32k context');
    expect(html).toContain('data-testid="profile-rename-user-1"');
    expect(html).not.toContain('data-testid="profile-rename-throughput"'); // built-ins are read-only
    expect(html).toContain('data-testid="profile-duplicate-throughput"');
  });

  it('shows the flag editor with type-aware inputs, grouped, and the core’s errors on the field', () => {
    const html = render();
    expect(html).toContain('data-testid="flag-search"');
    expect(html).toContain('data-testid="only-changed"');
    expect(html).toMatch(
      /<input type="checkbox" id="flag-enable-prefix-caching" data-testid="flag-input-enable-prefix-caching"[^>]*checked/,
    );
    expect(html).toMatch(/<select[^>]*data-testid="flag-input-kv-cache-dtype"/);
    expect(html).toMatch(/<input type="text"[^>]*data-testid="flag-input-max-num-seqs"[^>]*aria-invalid="true"[^>]*value="lots"/);
    expect(html).toContain(`data-testid="flag-error-max-num-seqs" role="alert">--max-num-seqs: invalid int value: &#x27;lots&#x27;</li>`);
    expect(html).toContain('data-testid="flag-reset-max-num-seqs"');
    // Groups in help order; the scheduler group is open (it has set flags), Frontend is closed.
    expect(html.indexOf('flag-group-Frontend')).toBeLessThan(html.indexOf('flag-group-SchedulerConfig'));
    expect(html).toMatch(/data-testid="flag-group-Frontend" data-open="false"/);
    expect(html).toMatch(/data-testid="flag-group-SchedulerConfig" data-open="true"/);
    expect(html).not.toContain('data-testid="flag-input-port"');
    expect(html).toContain('data-testid="env-error-1BAD"');
  });

  it('shows the command exactly as the core rendered it, with copy/export/import and the issue list', () => {
    const html = render();
    expect(html).toContain(
      `data-testid="command-preview" aria-busy="false">CUDA_VISIBLE_DEVICES=0 \\\n  vllm serve &#x27;it&#x27;\\&#x27;&#x27;s&#x27; \\\n  --max-num-seqs lots</pre>`,
    );
    for (const id of ['copy-command', 'export-script', 'import-command', 'expose-network']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toMatch(/data-testid="command-issues" data-errors="2"/);
    expect(html).toContain('<code>host</code> vLLM will listen');
  });

  it('marks unsaved edits; a built-in saves as a new profile', () => {
    const html = render();
    expect(html).toContain('data-testid="profile-dirty"');
    expect(html).toContain('Save as new profile');
    expect(render({ current: throughput })).not.toContain('data-testid="profile-dirty"');
    expect(render({ selectedId: 'user-1', base: mine, current: { ...mine, name: 'x' } })).toMatch(/data-testid="profile-save">Save</);
  });

  it('shows the diff of a user profile and import results with the unknown parts', () => {
    const html = render({
      selectedId: 'user-1',
      base: mine,
      current: mine,
      diff: { against: 'throughput', changes: [{ kind: 'flag', name: 'max-num-seqs', from: 64, to: 40 }] },
      importOpen: true,
      importResult: {
        profile: mine,
        unknown: ['--frob 1 (unknown flag, kept as extra arguments)'],
        warnings: ['VLLM_USE_V1 dropped'],
        exposeOnNetwork: false,
        caseChoices: ['THROUGHPUT', 'LOW_LATENCY'],
        caseChosen: 'THROUGHPUT',
      },
    });
    expect(html).toContain('1 change from THROUGHPUT');
    expect(html).toContain('<code>--max-num-seqs</code> 64 → 40');
    expect(html).toContain('data-testid="import-dialog"');
    expect(html).toContain('data-testid="import-unknown"');
    expect(html).toContain('--frob 1 (unknown flag, kept as extra arguments)');
    expect(html).toContain('data-testid="import-case"');
  });

  it('says so when the profiles cannot be loaded', () => {
    const html = render({ status: 'error', error: { kind: 'internal', message: 'boom', remedies: [] }, base: null });
    expect(html).toContain('Could not load the profiles: boom');
  });
});

describe('flag text', () => {
  const hr = spec('max-model-len', 'hr-int', 'S');
  it('parses numbers the way vLLM does, keeps unparsable text for the core to name', () => {
    expect(parseHumanInt('32k')).toBe(32000);
    expect(parseHumanInt('32K')).toBe(32768);
    expect(parseHumanInt('25.6k')).toBe(25600);
    expect(parseHumanInt('1.5K')).toBeUndefined();
    expect(parseFlagText(hr, '48k')).toBe(48000);
    expect(parseFlagText(hr, 'auto')).toBe(-1);
    expect(parseFlagText(spec('max-num-seqs', 'int', 'S'), '40')).toBe(40);
    expect(parseFlagText(spec('max-num-seqs', 'int', 'S'), 'lots')).toBe('lots');
    expect(parseFlagText(spec('gpu-memory-utilization', 'float', 'C', { default: 0.9 }), '0.95')).toBe(0.95);
    expect(parseFlagText(spec('gpu-memory-utilization', 'float', 'C', { default: 0.9 }), '1e')).toBe('1e');
    expect(parseFlagText(spec('served-model-name', 'list', 'M'), 'a b,c')).toEqual(['a', 'b', 'c']);
    expect(parseFlagText(spec('seed', 'int', 'M'), '')).toBeUndefined();
    expect(parseFlagText(spec('seed', 'int', 'M'), 'None')).toBeNull();
    expect(parseFlagText(spec('port', 'int', 'F', { default: 8000 }), 'None')).toBe('None');
  });

  it('formats values and defaults', () => {
    expect(formatFlagValue(['a', 'b'])).toBe('a b');
    expect(formatFlagValue(null)).toBe('None');
    expect(formatFlagValue(undefined)).toBe('');
    expect(defaultText(spec('port', 'int', 'F', { default: 8000 }))).toBe('8000');
    expect(defaultText(spec('seed', 'int', 'M'))).toBe('None');
  });

  it('search matches names in any spelling and help text; groups keep help order and skip the model', () => {
    const s = spec('max-num-seqs', 'int', 'SchedulerConfig');
    expect(flagMatches(s, 'max_num')).toBe(true);
    expect(flagMatches(s, '--max-num-seqs')).toBe(true);
    expect(flagMatches(s, 'HELP OF')).toBe(true);
    expect(flagMatches(s, 'kv')).toBe(false);
    const g = groupFlags(catalog.groups, catalog.flags, () => true);
    expect(g.map((x) => x.name)).toEqual(['Frontend', 'CacheConfig', 'SchedulerConfig']);
    expect(g.flatMap((x) => x.flags.map((f) => f.name))).not.toContain('model');
  });

  it('profile summary', () => {
    expect(profileSummary(throughput)).toBe('64 seqs · 16k batch · 32k context');
  });
});
