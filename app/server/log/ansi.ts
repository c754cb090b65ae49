// ANSI SGR and other CSI sequences as vLLM and tqdm emit them (`\x1b[0;36m(APIServer pid=1)\x1b[0;0m`).
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(s: string): string {
  return s.indexOf('\x1b') === -1 ? s : s.replace(CSI, '');
}
