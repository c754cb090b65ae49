// Pure parsers for nvidia-smi's CSV query output (`--format=csv,noheader,nounits`).
// Real captures these are tested against live in ./fixtures (see fixtures/README.md).
import type { Gpu, GpuProcess } from '../contract/gpu';
import { computeCapFromName } from './compute-cap';

/** The --query-gpu field list, in the order parseGpuCsv expects. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'compute_cap',
  'driver_version',
  'pci.bus_id',
] as const;

/** The --query-compute-apps field list, in the order parseAppsCsv expects. */
export const APPS_QUERY_FIELDS = ['gpu_uuid', 'pid', 'process_name', 'used_memory'] as const;

/**
 * Splits one CSV line. nvidia-smi separates fields with ", " and does not quote, but a product
 * name or process path with a comma would then be ambiguous; RFC 4180 quotes are honoured in
 * case a driver (or a wrapper) quotes them.
 */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      inQuotes = true;
      quoted = true;
      cur = '';
    } else if (ch === ',') {
      out.push(quoted ? cur : cur.trim());
      cur = '';
      quoted = false;
    } else if (!(quoted && /\s/.test(ch ?? ''))) {
      cur += ch;
    }
  }
  out.push(quoted ? cur : cur.trim());
  return out;
}

/**
 * nvidia-smi prints "[N/A]", "[Not Supported]", "[Insufficient Permissions]", "[Unknown Error]",
 * "[GPU requires reset]"… for values it cannot give, and "N/A" in some versions. All mean "no value".
 */
export function isMissing(field: string | undefined): boolean {
  if (field === undefined) return true;
  const f = field.trim();
  return f === '' || f === 'N/A' || /^\[.*\]$/.test(f);
}

export function textOrNull(field: string | undefined): string | null {
  return isMissing(field) ? null : (field as string).trim();
}

export function numOrNull(field: string | undefined): number | null {
  if (isMissing(field)) return null;
  // nounits normally strips units; tolerate a stray one ("70.12 W", "45 %") from odd wrappers.
  const m = /^-?\d+(?:\.\d+)?/.exec((field as string).trim());
  if (!m) return null;
  const n = Number(m[0]);
  return Number.isFinite(n) ? n : null;
}

/** Normalises "9.0", "9", " 8.6 " to "major.minor"; anything else → null. */
export function normaliseComputeCap(field: string | undefined): string | null {
  const t = textOrNull(field);
  if (t === null) return null;
  const m = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(t);
  return m ? `${Number(m[1])}.${Number(m[2] ?? 0)}` : null;
}

/** Lines that nvidia-smi prints instead of data (no processes, no devices). */
const NO_DATA = /^(no running (compute )?processes found|no devices were found)/i;

export interface ParsedGpus {
  gpus: Omit<Gpu, 'processes'>[];
  /** Lines that were not GPU rows (garbage, a warning printed before the data). */
  rejected: string[];
}

/**
 * Parses `--query-gpu=<fields> --format=csv,noheader,nounits`. `fields` is the list that was
 * queried (GPU_QUERY_FIELDS, or that list less compute_cap for drivers that lack it).
 */
export function parseGpuCsv(stdout: string, fields: readonly string[] = GPU_QUERY_FIELDS): ParsedGpus {
  const gpus: Omit<Gpu, 'processes'>[] = [];
  const rejected: string[] = [];
  const col = (f: string[], name: string): string | undefined => {
    const i = fields.indexOf(name);
    return i < 0 ? undefined : f[i];
  };
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || NO_DATA.test(line)) continue;
    const f = splitCsvLine(line);
    const idx = col(f, 'index');
    const index = idx !== undefined && /^\d+$/.test(idx) ? Number(idx) : null;
    const uuid = textOrNull(col(f, 'uuid'));
    const name = textOrNull(col(f, 'name'));
    if (f.length !== fields.length || index === null || uuid === null || name === null) {
      rejected.push(line);
      continue;
    }
    const fromSmi = normaliseComputeCap(col(f, 'compute_cap'));
    const fromName = fromSmi === null ? computeCapFromName(name) : null;
    gpus.push({
      index,
      uuid,
      name,
      memoryTotalMiB: numOrNull(col(f, 'memory.total')),
      memoryUsedMiB: numOrNull(col(f, 'memory.used')),
      memoryFreeMiB: numOrNull(col(f, 'memory.free')),
      utilizationPct: numOrNull(col(f, 'utilization.gpu')),
      temperatureC: numOrNull(col(f, 'temperature.gpu')),
      powerDrawW: numOrNull(col(f, 'power.draw')),
      powerLimitW: numOrNull(col(f, 'power.limit')),
      computeCap: fromSmi ?? fromName,
      computeCapSource: fromSmi !== null ? 'nvidia-smi' : fromName !== null ? 'name' : null,
      driverVersion: textOrNull(col(f, 'driver_version')),
      pciBusId: textOrNull(col(f, 'pci.bus_id')),
    });
  }
  gpus.sort((a, b) => a.index - b.index);
  return { gpus, rejected };
}

export interface ParsedApp extends GpuProcess {
  gpuUuid: string;
}

export function parseAppsCsv(stdout: string): { apps: ParsedApp[]; rejected: string[] } {
  const apps: ParsedApp[] = [];
  const rejected: string[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || NO_DATA.test(line)) continue;
    const f = splitCsvLine(line);
    const gpuUuid = textOrNull(f[0]);
    const pid = f[1] !== undefined && /^\d+$/.test(f[1]) ? Number(f[1]) : null;
    if (f.length !== APPS_QUERY_FIELDS.length || gpuUuid === null || pid === null) {
      rejected.push(line);
      continue;
    }
    apps.push({ gpuUuid, pid, name: textOrNull(f[2]), usedMiB: numOrNull(f[3]) });
  }
  return { apps, rejected };
}

/** Reads "CUDA Version: 13.0" and "Driver Version: 580.159.04" from plain `nvidia-smi` output. */
export function parseSmiHeader(stdout: string): { cudaVersion: string | null; driverVersion: string | null } {
  const cuda = /CUDA Version:\s*([0-9]+(?:\.[0-9]+)*)/.exec(stdout);
  const driver = /Driver Version:\s*([0-9]+(?:\.[0-9]+)*)/.exec(stdout);
  return { cudaVersion: cuda?.[1] ?? null, driverVersion: driver?.[1] ?? null };
}

/** Attaches each compute process to its GPU by UUID; processes on unknown GPUs are returned apart. */
export function attachProcesses(gpus: Omit<Gpu, 'processes'>[], apps: ParsedApp[]): { gpus: Gpu[]; orphans: ParsedApp[] } {
  const byUuid = new Map<string, Gpu>();
  const out: Gpu[] = gpus.map((g) => {
    const full: Gpu = { ...g, processes: [] };
    byUuid.set(g.uuid, full);
    return full;
  });
  const orphans: ParsedApp[] = [];
  for (const a of apps) {
    const g = byUuid.get(a.gpuUuid);
    if (g) g.processes.push({ pid: a.pid, name: a.name, usedMiB: a.usedMiB });
    else orphans.push(a);
  }
  for (const g of out) g.processes.sort((a, b) => (b.usedMiB ?? 0) - (a.usedMiB ?? 0) || a.pid - b.pid);
  return { gpus: out, orphans };
}
