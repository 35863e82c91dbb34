// Small uPlot line charts: a job's throughput (rows/s read, changes/s emitted) and generic live series over time.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export function ThroughputChart({ t, rows, changes }: { t: number[]; rows: number[]; changes: number[] }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = host.current!;
    plot.current = new uPlot({
      width: Math.max(300, el.clientWidth || 600), height: 180,
      series: [{}, { label: 'rows/s in', stroke: '#1f6fb2', width: 2 }, { label: 'changes/s out', stroke: '#d9822b', width: 2 }],
      axes: [{}, { size: 50 }],
      // The last five minutes, so a new job's first points do not stretch the axis over years.
      scales: { x: { time: true, range: (_u, _min, max) => [max - 300, max + 5] } },
    }, [[], [], []], el);
    return () => { plot.current?.destroy(); plot.current = null; };
  }, []);
  useEffect(() => { plot.current?.setData([t, rows, changes]); }, [t, rows, changes]);
  return <div className="chart" ref={host} data-testid="throughput-chart" />;
}

/** A small live line chart of named series over time (seconds), the last five minutes. */
export function LineChart({ t, series, testId }: { t: number[]; series: { label: string; values: number[]; color: string }[]; testId?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('|');
  useEffect(() => {
    const el = host.current!;
    plot.current = new uPlot({
      width: Math.max(300, el.clientWidth || 600), height: 150,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
      axes: [{}, { size: 50 }],
      // The newest sample, not uPlot's padded max (with one or two points it pads far into the future).
      scales: { x: { time: true, range: (u) => { const xs = u.data[0]; const max = xs[xs.length - 1] ?? Date.now() / 1000; return [max - 300, max + 5]; } } },
    }, [[], ...series.map(() => [])], el);
    return () => { plot.current?.destroy(); plot.current = null; };
  }, [labels]);
  useEffect(() => { plot.current?.setData([t, ...series.map((s) => s.values)]); }, [t, series]);
  return <div className="chart" ref={host} data-testid={testId} />;
}
