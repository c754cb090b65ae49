// The comparison of a sweep: per objective and load level, each profile's value and the best one;
// the profile that wins the most levels overall. Values closer than TIE_TOLERANCE count as a tie,
// because two runs of the same profile differ by about that much (scheduling noise, timers).
import type { AggregateDto, BenchResultDto, ComparisonDto, LevelResultDto, Objective, ObjectiveResultDto } from '../contract/bench';

/** 3 %: repeated runs of one profile against the simulator or a real server vary by 1–3 %. */
export const TIE_TOLERANCE = 0.03;

export interface ObjectiveDef {
  objective: Objective;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  value(a: AggregateDto): number | null;
}

export const OBJECTIVE_DEFS: readonly ObjectiveDef[] = [
  {
    objective: 'max-output-tps',
    label: 'Most output tokens/s',
    unit: 'tok/s',
    better: 'higher',
    value: (a) => (a.succeeded > 0 ? a.outputTokensPerS : null),
  },
  { objective: 'min-p50-itl', label: 'Lowest median inter-token latency', unit: 'ms', better: 'lower', value: (a) => a.itlMs.p50 },
  {
    objective: 'min-p90-stall',
    label: 'Shortest stalls (p90 of each answer’s longest pause)',
    unit: 'ms',
    better: 'lower',
    value: (a) => a.stallMs.p90,
  },
  { objective: 'min-p95-ttft', label: 'Lowest p95 time to first token', unit: 'ms', better: 'lower', value: (a) => a.ttftMs.p95 },
  {
    objective: 'max-goodput',
    label: 'Most goodput (requests/s meeting the SLOs)',
    unit: 'req/s',
    better: 'higher',
    value: (a) => (a.requests > 0 ? a.goodputPerS : null),
  },
];

const levelKey = (l: LevelResultDto) => l.load.value;

export function compareProfiles(result: Pick<BenchResultDto, 'levels' | 'profiles'>, tolerance = TIE_TOLERANCE): ComparisonDto {
  const objectives: ObjectiveResultDto[] = OBJECTIVE_DEFS.map((def) => {
    const wins: Record<string, number> = {};
    for (const p of result.profiles) wins[p.profileId] = 0;
    const perLevel = result.levels.values.map((level) => {
      const values: Record<string, number | null> = {};
      for (const p of result.profiles) {
        const lr = p.levels.find((l) => levelKey(l) === level);
        const v = lr ? def.value(lr.aggregate) : null;
        values[p.profileId] = v !== null && Number.isFinite(v) ? v : null;
      }
      const present = Object.entries(values).filter((e): e is [string, number] => e[1] !== null);
      if (present.length === 0) return { level, values, winner: null, tied: [] };
      const best = present.reduce((b, e) => (def.better === 'higher' ? (e[1] > b[1] ? e : b) : e[1] < b[1] ? e : b));
      const scale = Math.max(Math.abs(best[1]), 1e-9);
      const tied = present.filter((e) => Math.abs(e[1] - best[1]) / scale <= tolerance).map((e) => e[0]);
      // A single profile with a value has nothing to beat: it is listed, not declared a winner.
      if (present.length < 2) return { level, values, winner: null, tied: [] };
      if (tied.length > 1) return { level, values, winner: null, tied };
      wins[best[0]] = (wins[best[0]] ?? 0) + 1;
      return { level, values, winner: best[0], tied: [] };
    });
    const ranked = Object.entries(wins).sort((a, b) => b[1] - a[1]);
    const top = ranked[0];
    const winner = top && top[1] > 0 && (ranked.length < 2 || ranked[1]![1] < top[1]) ? top[0] : null;
    return { objective: def.objective, label: def.label, unit: def.unit, better: def.better, perLevel, winner, wins };
  });
  return { tolerance, objectives };
}
