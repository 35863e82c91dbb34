// A uPlot line chart of several monitoring series (each with its own timestamps, aligned with uPlot.join) over the
// last minutes; used by the monitoring page for every figure of a job.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { ChartSeries } from './monitoring-api.js';

/** 28300000 → 28.3M, 0.0042 → 0.0042: axis labels that fit. */
function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toPrecision(3));
}

const COLORS = ['#1f6fb2', '#d9822b', '#2e9e5b', '#b3261e', '#7a4fb2', '#6b7685', '#c2a500', '#0f8a8a'];

interface ChartProps { title: string; unit: string; series: ChartSeries[]; minutes?: number; testId?: string }

/** The chart, or a one-line placeholder while the figure has no series (no Kafka source, no checkpoint yet...). */
export function MetricChart(p: ChartProps) {
  if (p.series.length === 0) return <div className="metric-chart empty" data-testid={p.testId}><b>{p.title}</b><p className="muted">no data yet</p></div>;
  return <Plot {...p} />;
}

function Plot({ title, unit, series, minutes = 10, testId }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('\u0000');
  useEffect(() => {
    const el = host.current!;
    plot.current = new uPlot({
      width: Math.max(300, el.clientWidth || 520), height: 170,
      title: `${title}${unit ? ` (${unit})` : ''}`,
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length]!, width: 2, spanGaps: true }))],
      axes: [{}, { size: 56, values: (_u, splits) => splits.map(compact) }],
      // The window, or less while the job is younger (a new job's first points fill the chart).
      scales: { x: { time: true, range: (_u, min, max) => [Math.max(min, max - minutes * 60), max + 1] } },
    }, [[], ...series.map(() => [])], el);
    return () => { plot.current?.destroy(); plot.current = null; };
  }, [labels, title, unit, minutes]);
  useEffect(() => {
    if (!plot.current) return;
    plot.current.setData(uPlot.join(series.map((s) => [s.t, s.v] as uPlot.AlignedData)));
  }, [series]);
  return <div className="chart metric-chart" ref={host} data-testid={testId} />;
}
