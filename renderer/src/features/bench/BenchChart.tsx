import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { type Curve, fmtNum, fmtTick, LATENCY_METRICS, type LatencyMetric } from './bench-view';

const AXIS = '#8a919c';
const GRID = 'rgba(138, 145, 156, 0.18)';

/**
 * Throughput against latency: one curve per profile, a point per load level (x = output
 * tokens/s, y = the chosen latency). Up and to the left is worse; a profile whose curve lies
 * right of another gets more tokens/s for the same latency.
 */
export function BenchChart({ curves, metric, onMetric }: { curves: Curve[]; metric: LatencyMetric; onMetric(m: LatencyMetric): void }) {
  const label = LATENCY_METRICS.find((m) => m.id === metric)!.label;
  return (
    <figure
      className="bench-chart"
      data-testid="bench-chart"
      data-series={curves.length}
      data-points={curves.reduce((n, c) => n + c.points.length, 0)}
    >
      <figcaption className="bench-chart__head">
        <span className="bench-chart__title">Throughput vs latency</span>
        <fieldset className="bench-chart__metric">
          <legend className="visually-hidden">Latency on the vertical axis</legend>
          {LATENCY_METRICS.map((m) => (
            <label key={m.id} className={`btn btn--xs${m.id === metric ? ' btn--primary' : ' btn--ghost'}`}>
              <input
                type="radio"
                name="bench-chart-metric"
                className="visually-hidden"
                checked={m.id === metric}
                onChange={() => onMetric(m.id)}
              />
              {m.label.replace(' (ms)', '')}
            </label>
          ))}
        </fieldset>
      </figcaption>
      {curves.length === 0 ? (
        <p className="bench-chart__empty">No finished levels yet.</p>
      ) : (
        <div className="bench-chart__plot">
          <ResponsiveContainer width="100%" height={280}>
            <ScatterChart margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
              <CartesianGrid stroke={GRID} />
              <XAxis
                type="number"
                dataKey="x"
                name="Output tok/s"
                stroke={AXIS}
                tickFormatter={fmtTick}
                label={{ value: 'output tokens/s', position: 'insideBottom', offset: -10, fill: AXIS, fontSize: 11 }}
              />
              <YAxis
                type="number"
                dataKey="y"
                name={label}
                stroke={AXIS}
                tickFormatter={fmtTick}
                label={{ value: label, angle: -90, position: 'insideLeft', fill: AXIS, fontSize: 11 }}
              />
              <Tooltip
                cursor={{ strokeDasharray: '3 3' }}
                formatter={(value: unknown, name: unknown) => [fmtNum(typeof value === 'number' ? value : Number(value), 1), String(name)]}
              />
              <Legend verticalAlign="top" height={24} itemSorter={null} />
              {curves.map((c) => (
                <Scatter
                  key={c.key}
                  name={c.label}
                  data={c.points}
                  fill={c.color}
                  line={{ stroke: c.color, strokeWidth: 2 }}
                  isAnimationActive={false}
                />
              ))}
            </ScatterChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
