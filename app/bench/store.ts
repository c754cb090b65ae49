// Saved benchmark results: one JSON file per run under <dataDir>/bench, validated on read and
// written atomically (app/store/json-file.ts), so a crash mid-write never leaves half a result.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchResultDto, BenchResultSchema, type BenchSummaryDto } from '../contract/bench';
import { PanelError } from '../host/context';
import { saveJson } from '../store/json-file';

const ID_RE = /^[a-z0-9-]{1,80}$/;

/** "20250114-093012-3fa1": sortable by time, unique enough for one user's runs. */
export function newBenchId(now: number): string {
  const iso = new Date(now).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(2).toString('hex')}`;
}

export function summarizeResult(r: BenchResultDto): BenchSummaryDto {
  let best: number | null = null;
  for (const p of r.profiles)
    for (const l of p.levels) if (l.aggregate.succeeded > 0) best = Math.max(best ?? 0, l.aggregate.outputTokensPerS);
  const gpu = r.environment.gpus.length
    ? `${r.environment.gpus.length > 1 ? `${r.environment.gpus.length}× ` : ''}${r.environment.gpus[0]!.name}`
    : null;
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    createdAt: r.createdAt,
    status: r.status,
    model: r.environment.model,
    gpu,
    profiles: r.profiles.map((p) => p.profileName),
    levels: r.levels,
    bestOutputTps: best,
  };
}

export class BenchStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new PanelError('invalid_argument', `Not a benchmark id: ${id.slice(0, 100)}`, [], 'id');
    return join(this.dir, `${id}.json`);
  }

  async save(r: BenchResultDto): Promise<void> {
    await saveJson(this.file(r.id), BenchResultSchema.parse(r));
  }

  async get(id: string): Promise<BenchResultDto> {
    let text: string;
    try {
      text = await readFile(this.file(id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PanelError('not_found', `No saved benchmark ${id}.`, [], 'id');
      throw err;
    }
    const parsed = BenchResultSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new PanelError(
        'corrupt_result',
        `The saved benchmark ${id} cannot be read: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}`,
      );
    }
    return parsed.data;
  }

  /** Every readable result, newest first; unreadable files are reported, not thrown. */
  async list(): Promise<{ runs: BenchSummaryDto[]; problems: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], problems: [] };
      throw err;
    }
    const runs: BenchSummaryDto[] = [];
    const problems: string[] = [];
    for (const n of names) {
      if (!n.endsWith('.json') || !ID_RE.test(n.slice(0, -5))) continue;
      try {
        const parsed = BenchResultSchema.safeParse(safeJson(await readFile(join(this.dir, n), 'utf8')));
        if (parsed.success) runs.push(summarizeResult(parsed.data));
        else problems.push(`${n}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      } catch (err) {
        problems.push(`${n}: ${(err as Error).message}`);
      }
    }
    runs.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
    return { runs, problems };
  }

  async delete(id: string): Promise<void> {
    const f = this.file(id);
    await this.get(id); // not found → a clear error instead of a silent no-op
    await rm(f, { force: true });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
