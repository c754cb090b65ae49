// The simulated machine: VLLM_SIM_GPUS ("A100-40GB" default, "H100-80GB:2", "A100-40GB,L40S"),
// VLLM_SIM_GPU_USED_GIB and CUDA_VISIBLE_DEVICES. The GPU table and the parser live in
// app/launch/gpu-models.ts, so the panel plans a simulator launch against the same machine.
export {
  DEFAULT_SIM_GPUS as DEFAULT_GPUS,
  findGpuModel,
  GPU_MODELS,
  type GpuModel,
  parseSimGpus as parseGpus,
  type SimGpu,
} from '../app/launch/gpu-models';
