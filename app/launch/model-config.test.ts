import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubCacheDir, loadModelConfig, ModelConfigCache, resolveModelConfig } from './model-config';
import { geometryFromConfig, NEMOTRON_NANO_12B_V2 } from './model-geometry';

const FIXTURES = join(import.meta.dirname, 'fixtures');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-model-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), 'utf8');
}

/** Lays out a Hugging Face hub cache entry the way huggingface_hub does (blobs + snapshot symlinks). */
async function hfCacheEntry(hfHome: string, id: string, rev: string, files: Record<string, string>, withRef = true): Promise<string> {
  const repo = join(hfHome, 'hub', `models--${id.replace('/', '--')}`);
  const snap = join(repo, 'snapshots', rev);
  await mkdir(join(repo, 'blobs'), { recursive: true });
  await mkdir(snap, { recursive: true });
  let n = 0;
  for (const [name, text] of Object.entries(files)) {
    const blob = join(repo, 'blobs', `blob${n++}`);
    await writeFile(blob, text);
    await symlink(blob, join(snap, name));
  }
  if (withRef) {
    await mkdir(join(repo, 'refs'), { recursive: true });
    await writeFile(join(repo, 'refs', 'main'), rev);
  }
  return snap;
}

describe('loadModelConfig', () => {
  it('reads a local folder, and weights from model.safetensors.index.json', async () => {
    const model = join(dir, 'qwen');
    await mkdir(model);
    await writeFile(join(model, 'config.json'), await fixture('qwen2.5-14b-instruct-fp8-dynamic-config.json'));
    await writeFile(
      join(model, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 16_345_000_000 }, weight_map: {} }),
    );
    const r = await loadModelConfig(model, { env: {} });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.geometry.source).toBe('local');
    expect(r.geometry.kind).toBe('dense');
    expect(r.geometry.attentionLayers).toBe(48);
    expect(r.geometry.weightSource).toBe('safetensors-index');
    expect(r.geometry.weightBytes).toBe(16_345_000_000);
    expect(r.geometry.quantization?.method).toBe('compressed-tensors');
    expect(r.mtimeMs).toBeGreaterThan(0);
  });

  it('resolves relative paths against cwd', async () => {
    await mkdir(join(dir, 'm'));
    await writeFile(join(dir, 'm', 'config.json'), await fixture('nemotron-3-nano-4b-fp8-config.json'));
    const r = await loadModelConfig('./m', { env: {}, cwd: dir });
    expect(r.ok && r.geometry.stateLayers).toBe(21);
  });

  it('finds a model in the HF cache through refs/main, offline', async () => {
    const hfHome = join(dir, 'hf');
    await hfCacheEntry(hfHome, 'nvidia/NVIDIA-Nemotron-3-Nano-4B-FP8', 'abc123', {
      'config.json': await fixture('nemotron-3-nano-4b-fp8-config.json'),
    });
    const r = await loadModelConfig('nvidia/NVIDIA-Nemotron-3-Nano-4B-FP8', { env: { HF_HOME: hfHome } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.geometry.source).toBe('hf-cache');
    expect(r.geometry.configPath).toBe(
      join(hfHome, 'hub', 'models--nvidia--NVIDIA-Nemotron-3-Nano-4B-FP8', 'snapshots', 'abc123', 'config.json'),
    );
    expect(r.geometry.attentionLayers).toBe(4);
    // hfHome option overrides the env.
    const r2 = await loadModelConfig('nvidia/NVIDIA-Nemotron-3-Nano-4B-FP8', { env: { HF_HOME: '/nonexistent' }, hfHome });
    expect(r2.ok).toBe(true);
  });

  it('without refs/main, takes the newest snapshot that has a config.json', async () => {
    const hfHome = join(dir, 'hf');
    const old = await hfCacheEntry(
      hfHome,
      'org/model',
      'old',
      { 'config.json': await fixture('qwen2.5-14b-instruct-fp8-dynamic-config.json') },
      false,
    );
    await utimes(join(old, 'config.json'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    await hfCacheEntry(hfHome, 'org/model', 'new', { 'config.json': await fixture('nemotron-3-nano-4b-fp8-config.json') }, false);
    const r = await loadModelConfig('org/model', { env: { HF_HOME: hfHome } });
    expect(r.ok && r.geometry.modelType).toBe('nemotron_h');
  });

  it('HF_HUB_CACHE wins over HF_HOME; default is ~/.cache/huggingface/hub', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' })).toBe('/x/hub');
    expect(hubCacheDir({ HF_HOME: '/y' })).toBe(join('/y', 'hub'));
    expect(hubCacheDir({ HOME: '/home/u' })).toBe(join('/home/u', '.cache', 'huggingface', 'hub'));
    expect(hubCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'huggingface', 'hub'));
  });

  it('falls back to the built-in config for the default model, but a downloaded config.json wins', async () => {
    const hfHome = join(dir, 'hf');
    const builtin = await loadModelConfig(NEMOTRON_NANO_12B_V2, { env: { HF_HOME: hfHome } });
    expect(builtin.ok && builtin.geometry.source).toBe('builtin');
    const edited = JSON.parse(await fixture('nemotron-3-nano-4b-fp8-config.json'));
    await hfCacheEntry(hfHome, NEMOTRON_NANO_12B_V2, 'r1', { 'config.json': JSON.stringify(edited) });
    const cached = await loadModelConfig(NEMOTRON_NANO_12B_V2, { env: { HF_HOME: hfHome } });
    expect(cached.ok && cached.geometry.source).toBe('hf-cache');
  });

  it('a model neither cached nor built in: a reason that says where it looked and how to fix it', async () => {
    const r = await loadModelConfig('org/not-here', { env: { HF_HOME: join(dir, 'hf') } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain('not in the Hugging Face cache');
    expect(r.reason).toContain('huggingface-cli download org/not-here');
  });

  it('invalid JSON and wrong types are reasons, not exceptions', async () => {
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'config.json'), '{ "hidden_size": 4096,');
    const r = await loadModelConfig(join(dir, 'bad'), { env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/is not valid JSON/);

    await writeFile(join(dir, 'bad', 'config.json'), JSON.stringify({ hidden_size: 'big', num_attention_heads: 8 }));
    const r2 = await loadModelConfig(join(dir, 'bad'), { env: {} });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.reason).toContain('hidden_size');

    await writeFile(join(dir, 'bad', 'config.json'), JSON.stringify({ hidden_size: 4096, vocab_size: 10 }));
    const r3 = await loadModelConfig(join(dir, 'bad'), { env: {} });
    expect(!r3.ok && r3.reason).toContain('num_hidden_layers');
  });

  it('refuses hostile or malformed ids without touching the file system outside', async () => {
    for (const bad of ['org/../../etc', 'a/b; rm -rf /', '$(reboot)', 'org/name\nx', '']) {
      const r = await resolveModelConfig(bad, { env: { HF_HOME: dir }, cwd: dir });
      expect(r.kind, bad).toBe('error');
    }
    const missing = await loadModelConfig(join(dir, 'nope'), { env: {} });
    expect(!missing.ok && missing.reason).toContain('No folder');
    await mkdir(join(dir, 'empty'));
    const empty = await loadModelConfig(join(dir, 'empty'), { env: {} });
    expect(!empty.ok && empty.reason).toContain('has no config.json');
  });
});

describe('ModelConfigCache', () => {
  it('memoizes per config.json and re-reads when its mtime changes', async () => {
    const model = join(dir, 'm');
    await mkdir(model);
    const cfgPath = join(model, 'config.json');
    await writeFile(cfgPath, await fixture('qwen2.5-14b-instruct-fp8-dynamic-config.json'));
    const cache = new ModelConfigCache();
    const a = await cache.load(model, { env: {} });
    const b = await cache.load(model, { env: {} });
    expect(b).toBe(a);
    expect(cache.size).toBe(1);
    await writeFile(cfgPath, await fixture('nemotron-3-nano-4b-fp8-config.json'));
    await utimes(cfgPath, new Date(), new Date(Date.now() + 5000));
    const c = await cache.load(model, { env: {} });
    expect(c).not.toBe(a);
    expect(c.ok && c.geometry.modelType).toBe('nemotron_h');
  });
});

describe('geometryFromConfig', () => {
  it('reads layers_block_type (newer Nemotron-H configs) like hybrid_override_pattern', () => {
    const pattern = 'M-M-M-MM-M-M*-M-M*-M-M-M*-M-M-MM*-MMM-M-M-';
    const types = [...pattern].map((c) => (c === 'M' ? 'mamba' : c === '*' ? 'attention' : 'mlp'));
    const base = JSON.parse(
      JSON.stringify({
        model_type: 'nemotron_h',
        hidden_size: 3136,
        intermediate_size: 12544,
        vocab_size: 131072,
        num_attention_heads: 40,
        num_key_value_heads: 8,
        head_dim: 128,
        mamba_num_heads: 96,
        mamba_head_dim: 80,
        n_groups: 8,
        ssm_state_size: 128,
        conv_kernel: 4,
        mlp_hidden_act: 'relu2',
      }),
    );
    const a = geometryFromConfig({ ...base, hybrid_override_pattern: pattern }, { modelId: 'a', source: 'local' });
    const b = geometryFromConfig({ ...base, layers_block_type: types }, { modelId: 'b', source: 'local' });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.geometry.layers).toEqual(a.geometry.layers);
    expect(b.geometry.paramCount).toBe(a.geometry.paramCount);
  });

  it('Jamba-style attn_layer_period / offset and Mamba-1 state', () => {
    const r = geometryFromConfig(
      {
        model_type: 'jamba',
        num_hidden_layers: 32,
        attn_layer_period: 8,
        attn_layer_offset: 4,
        hidden_size: 4096,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        vocab_size: 65536,
        mamba_d_state: 16,
        mamba_d_conv: 4,
        mamba_expand: 2,
      },
      { modelId: 'j', source: 'local' },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.geometry.attentionLayers).toBe(4);
    expect(r.geometry.stateLayers).toBe(28);
    expect(r.geometry.state?.variant).toBe('mamba1');
    expect(r.geometry.state?.dInner).toBe(8192);
  });

  it('uses the text config of a multimodal checkpoint', () => {
    const r = geometryFromConfig(
      {
        architectures: ['SomeVLForConditionalGeneration'],
        model_type: 'some_vl',
        text_config: { hidden_size: 2048, num_hidden_layers: 24, num_attention_heads: 16, num_key_value_heads: 4, vocab_size: 32000 },
      },
      { modelId: 'vl', source: 'local' },
    );
    expect(r.ok && r.geometry.numLayers).toBe(24);
    expect(r.ok && r.geometry.architecture).toBe('SomeVLForConditionalGeneration');
  });

  it('rejects an unknown pattern symbol with the reason', () => {
    const r = geometryFromConfig(
      { hybrid_override_pattern: 'M*X', hidden_size: 8, num_attention_heads: 1, vocab_size: 8 },
      { modelId: 'x', source: 'local' },
    );
    expect(!r.ok && r.reason).toContain("unknown layer symbol 'X'");
  });
});
