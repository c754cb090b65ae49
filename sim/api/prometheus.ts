// A minimal prometheus_client look-alike: the text exposition format exactly as the Python client
// writes it (vllm-metrics.md §1): counters exposed as `<name>_total` plus a separate
// `<name>_created` gauge family, histograms as cumulative `_bucket{le}` + `_count` + `_sum` (+ a
// `_created` family), floats printed with Python's repr and Go-style exponents
// (`floatToGoString`), label names in sorted order with `le` last.

export type Labels = Readonly<Record<string, string>>;

/** Python `repr(float)`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp >= 16 || exp < -4) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '');
    return `${m}e${sign}${digits.padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** prometheus_client's floatToGoString. */
export function goFloat(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(x)) return 'NaN';
  const s = pyFloat(x);
  const dot = s.indexOf('.');
  if (x > 0 && dot > 6) {
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/[0.]+$/, '');
    return `${mantissa}e+0${dot - 1}`;
  }
  return s;
}

function escapeLabel(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const keys = Object.keys(labels).sort();
  const parts = keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Counter {
  value = 0;
  constructor(
    readonly labels: Labels,
    /** null for collector-made counters that have no `_created` sample (process_cpu_seconds). */
    readonly created: number | null,
  ) {}
  inc(n = 1): void {
    this.value += n;
  }
}

export class Gauge {
  value = 0;
  constructor(readonly labels: Labels) {}
  set(v: number): void {
    this.value = v;
  }
}

export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    readonly bounds: readonly number[],
    readonly created: number,
  ) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    // Buckets are few (≤ 22): a linear scan beats a binary search here.
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

type Family =
  | { type: 'counter'; name: string; help: string; series: Counter[] }
  | { type: 'gauge'; name: string; help: string; series: Gauge[] }
  | { type: 'histogram'; name: string; help: string; series: Histogram[] };

export class Registry {
  private readonly families: Family[] = [];
  private readonly byName = new Map<string, Family>();
  constructor(private readonly now: () => number = () => Date.now() / 1000) {}

  private family<T extends Family>(type: T['type'], name: string, help: string): T {
    let f = this.byName.get(name);
    if (!f) {
      f = { type, name, help, series: [] } as Family;
      this.families.push(f);
      this.byName.set(name, f);
    }
    return f as T;
  }

  counter(name: string, help: string, labels: Labels, withCreated = true): Counter {
    const c = new Counter(labels, withCreated ? this.now() : null);
    this.family<Extract<Family, { type: 'counter' }>>('counter', name, help).series.push(c);
    return c;
  }
  gauge(name: string, help: string, labels: Labels): Gauge {
    const g = new Gauge(labels);
    this.family<Extract<Family, { type: 'gauge' }>>('gauge', name, help).series.push(g);
    return g;
  }
  histogram(name: string, help: string, labels: Labels, bounds: readonly number[]): Histogram {
    const h = new Histogram(labels, bounds, this.now());
    this.family<Extract<Family, { type: 'histogram' }>>('histogram', name, help).series.push(h);
    return h;
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.families) {
      if (f.type === 'gauge') {
        out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`);
        for (const g of f.series) out.push(`${f.name}${labelText(g.labels)} ${goFloat(g.value)}`);
      } else if (f.type === 'counter') {
        out.push(`# HELP ${f.name}_total ${f.help}`, `# TYPE ${f.name}_total counter`);
        for (const c of f.series) out.push(`${f.name}_total${labelText(c.labels)} ${goFloat(c.value)}`);
        const created = f.series.filter((c) => c.created !== null);
        if (created.length) {
          out.push(`# HELP ${f.name}_created ${f.help}`, `# TYPE ${f.name}_created gauge`);
          for (const c of created) out.push(`${f.name}_created${labelText(c.labels)} ${goFloat(c.created!)}`);
        }
      } else {
        out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} histogram`);
        for (const h of f.series) {
          let acc = 0;
          for (let i = 0; i < h.bounds.length; i++) {
            acc += h.counts[i]!;
            out.push(`${f.name}_bucket${labelText(h.labels, ['le', goFloat(h.bounds[i]!)])} ${goFloat(acc)}`);
          }
          out.push(`${f.name}_bucket${labelText(h.labels, ['le', '+Inf'])} ${goFloat(h.count)}`);
          out.push(`${f.name}_count${labelText(h.labels)} ${goFloat(h.count)}`);
          out.push(`${f.name}_sum${labelText(h.labels)} ${goFloat(h.sum)}`);
        }
        out.push(`# HELP ${f.name}_created ${f.help}`, `# TYPE ${f.name}_created gauge`);
        for (const h of f.series) out.push(`${f.name}_created${labelText(h.labels)} ${goFloat(h.created)}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}
