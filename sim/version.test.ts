import { describe, expect, it } from 'vitest';
import { captureSizes } from './proc/phases';
import { versionTraits } from './version';

describe('emulated vLLM versions', () => {
  it('switches the details the reference dates', () => {
    const v13 = versionTraits('0.13.0');
    expect(v13.engineCoreName(0)).toBe('EngineCore_DP0');
    expect(v13.banner).toBe(false);
    expect(v13.reasoningFields).toEqual(['reasoning', 'reasoning_content']);
    expect(v13.asyncSchedulingLine).toBe(false);
    const v19 = versionTraits('0.19.1');
    expect(v19.engineCoreName(1)).toBe('EngineCore');
    expect(v19.banner).toBe(true);
    expect(v19.reasoningFields).toEqual(['reasoning']);
    expect(versionTraits('0.10.2').reasoningFields).toEqual(['reasoning_content']);
    expect(versionTraits('0.24.0').subcommands).toContain('launch');
    expect(versionTraits('0.24.0').apiUtilsFile).toBe('api_utils.py');
    expect(versionTraits('0.25.0').defaultGpuMemoryUtilization).toBe(0.92);
    expect(versionTraits(undefined).version).toBe('0.14.0');
    expect(() => versionTraits('latest')).toThrow();
  });

  it('captures the CUDA graph sizes vLLM picks (51 piecewise / 35 full at max_num_seqs 256, vllm-logs 01/07)', () => {
    const sizes = captureSizes(256);
    expect(sizes).toHaveLength(51);
    expect(sizes.filter((s) => s <= 256)).toHaveLength(35);
    expect(sizes.slice(0, 5)).toEqual([1, 2, 4, 8, 16]);
    expect(sizes[sizes.length - 1]).toBe(512);
    expect(captureSizes(64)[captureSizes(64).length - 1]).toBe(128);
  });
});
