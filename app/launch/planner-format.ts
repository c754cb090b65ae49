// Number formatting exactly as vLLM's Python log lines produce it, so predicted lines compare
// byte-for-byte with real logs: "%.2f" (round-half-even on the exact binary value) and "{:,}".

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/**
 * Python's `'%.Nf' % x`. JavaScript's toFixed rounds exact binary ties (98.125) up, Python to
 * even; both are exact otherwise, so only an exact tie needs handling.
 */
export function pyFixed(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const plain = x.toFixed(digits);
  const abs = Math.abs(x);
  const long = abs.toFixed(Math.min(100, digits + 40));
  const dot = long.indexOf('.');
  const tail = long.slice(dot + 1 + digits);
  if (!/^50*$/.test(tail)) return plain;
  // Exact tie: keep the truncated value when its last digit is even (Python's round-half-even).
  const truncated = digits === 0 ? long.slice(0, dot) : long.slice(0, dot + 1 + digits);
  const lastDigit = Number(truncated[truncated.length - 1]);
  const magnitude = lastDigit % 2 === 0 ? truncated : abs.toFixed(digits);
  return x < 0 ? `-${magnitude}` : magnitude;
}

/** Python's `f"{n:,}"` for integers. */
export function pyThousands(n: number): string {
  const s = String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** Bytes → GiB. */
export const toGiB = (bytes: number): number => bytes / GiB;
