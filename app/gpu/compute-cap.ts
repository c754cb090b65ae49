// Compute capability from the product name, for drivers whose nvidia-smi lacks `compute_cap`
// (the field arrived with the R510 drivers; older ones print "Field … is not a valid field").
// Source: NVIDIA's CUDA GPU list, https://developer.nvidia.com/cuda-gpus. Order matters: the
// first pattern that matches wins, so specific names come before families.
const TABLE: [RegExp, string][] = [
  // Blackwell
  [/\bGB300\b|\bB300\b/i, '10.3'],
  [/\bGB200\b|\bB200\b|\bB100\b/i, '10.0'],
  [/RTX\s*50\d\d|RTX PRO \d+ Blackwell|Blackwell/i, '12.0'],
  // Hopper
  [/\bGH200\b|\bH200\b|\bH100\b|\bH800\b|\bH20\b/i, '9.0'],
  // Ada
  [/\bL40S?\b|\bL4\b|\bL20\b|RTX\s*40\d\d|RTX \d+ Ada|Ada Generation/i, '8.9'],
  // Ampere
  [/Orin/i, '8.7'],
  [/\bA100\b|\bA800\b|\bA30\b/i, '8.0'],
  [/\bA40\b|\bA10G?\b|\bA16\b|\bA2\b|RTX\s*A\d{4}|RTX\s*30\d\d/i, '8.6'],
  // Turing
  [/\bT4\b|RTX\s*20\d\d|GTX\s*16\d\d|Quadro RTX|TITAN RTX/i, '7.5'],
  // Volta
  [/\bV100\b|TITAN V\b/i, '7.0'],
  // Pascal
  [/\bP100\b/i, '6.0'],
  [/\bP40\b|\bP4\b|GTX\s*10\d\d|TITAN Xp?\b/i, '6.1'],
];

export function computeCapFromName(name: string): string | null {
  for (const [re, cc] of TABLE) if (re.test(name)) return cc;
  return null;
}
