import { memo, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricsAnnotation } from '../../stores/metrics-store';
import { downloadBlob, exportName, svgToPng } from './export-file';
import { type ChartDef, fmtClock, fmtTick, fmtUnit } from './metrics-format';
import type { ChartRow } from './metrics-rows';

/** Every chart shares this id: hovering one moves the crosshair and tooltip on all of them. */
export const SYNC_ID = 'vllm-metrics';
const AXIS = '#8a919c';
const GRID = 'rgba(138, 145, 156, 0.18)';

export const ANNOTATION_COLORS: Record<MetricsAnnotation['kind'], string> = {
  starting: '#8a919c',
  ready: '#48c264',
  restart: '#e0a93a',
  profile: '#9b7ff0',
  crash: '#f4736a',
  failed: '#f4736a',
  stopped: '#8a919c',
  attached: '#4e8ff5',
  down: '#f4736a',
  up: '#48c264',
  reset: '#e0a93a',
};

export interface MetricsChartProps {
  def: ChartDef;
  /** The same array for every chart (index-synced crosshair). */
  rows: ChartRow[];
  domain: [number, number];
  annotations: MetricsAnnotation[];
  /** Label the annotation lines (only the first chart does, to keep the others quiet). */
  labelAnnotations?: boolean;
}

const noData = (rows: ChartRow[], keys: string[]) => !rows.some((r) => keys.some((k) => typeof r[k] === 'number'));

/**
 * One small multiple. Memoized on its props: rows change at most once per animation frame
 * (the store batches events), and animations are off so a 10 Hz update is one cheap redraw.
 */
export const MetricsChart = memo(function MetricsChart({ def, rows, domain, annotations, labelAnnotations }: MetricsChartProps) {
  const plot = useRef<HTMLDivElement>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const keys = def.series.map((s) => s.key);
  const empty = noData(rows, keys);

  const exportPng = async () => {
    const svg = plot.current?.querySelector('svg.recharts-surface');
    if (!(svg instanceof SVGSVGElement)) return;
    try {
      const bg = getComputedStyle(plot.current!).getPropertyValue('--surface').trim() || '#171a20';
      downloadBlob(await svgToPng(svg, bg), `${exportName(`vllm-${def.name}`)}.png`);
      setExportError(null);
    } catch (err) {
      setExportError((err as Error).message);
    }
  };

  return (
    <figure className="metrics-chart" data-testid={`metrics-chart-${def.name}`} data-rows={rows.length} data-empty={empty}>
      <figcaption className="metrics-chart__head">
        <span className="metrics-chart__title">{def.title}</span>
        <span className="metrics-chart__legend">
          {def.series.map((s) => (
            <span key={s.key} className="metrics-chart__key">
              <span
                className={`metrics-chart__swatch${s.dashed ? ' metrics-chart__swatch--dashed' : ''}`}
                style={{ borderColor: s.color }}
              />
              {s.label}
            </span>
          ))}
        </span>
        <button
          type="button"
          className="btn btn--ghost btn--xs metrics-chart__png"
          onClick={() => void exportPng()}
          title={exportError ?? `Save “${def.title}” as a PNG image`}
          data-testid={`metrics-export-png-${def.name}`}
        >
          PNG
        </button>
      </figcaption>
      <div className="metrics-chart__plot" ref={plot}>
        {empty && <div className="metrics-chart__nodata">no data in this window</div>}
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} syncId={SYNC_ID} margin={{ top: 6, right: 10, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={GRID} vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={domain}
              allowDataOverflow
              tickFormatter={(t: number) => fmtClock(t)}
              tick={{ fill: AXIS, fontSize: 10 }}
              stroke={GRID}
              minTickGap={48}
            />
            <YAxis
              width={46}
              domain={[0, def.yMax ?? 'auto']}
              allowDataOverflow={def.yMax !== undefined}
              tickFormatter={(v: number) => fmtTick(v, def.unit)}
              tick={{ fill: AXIS, fontSize: 10 }}
              stroke={GRID}
            />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(t) => fmtClock(Number(t))}
              formatter={(v, name) => [fmtUnit(typeof v === 'number' ? v : null, def.unit), name]}
              contentStyle={{ background: 'var(--bg-elev)', border: '1px solid var(--border-strong)', borderRadius: 6, fontSize: 12 }}
              labelStyle={{ color: 'var(--text-muted)' }}
              cursor={{ stroke: AXIS, strokeWidth: 1 }}
            />
            {annotations.map((a) => (
              <ReferenceLine
                key={`${a.t}-${a.kind}`}
                x={a.t}
                stroke={ANNOTATION_COLORS[a.kind]}
                strokeDasharray="3 3"
                ifOverflow="hidden"
                {...(labelAnnotations
                  ? { label: { value: a.kind, position: 'insideTopRight' as const, fill: ANNOTATION_COLORS[a.kind], fontSize: 10 } }
                  : {})}
              />
            ))}
            {def.series.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={s.color}
                strokeWidth={1.5}
                dot={false}
                activeDot={{ r: 3 }}
                isAnimationActive={false}
                connectNulls={false}
                {...(s.dashed ? { strokeDasharray: '4 3' } : {})}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
});
