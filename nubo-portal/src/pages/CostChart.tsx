// Cost per day as a hand-drawn SVG bar chart, stacked by usage type. About 60 lines instead of a
// charting library: the portal has one chart, and the main bundle stays small (see docs/portal.md).
import { axisDigits, dayBars, niceMax, type UsageGroup } from '../lib/chart';
import { money } from '../lib/format';

const COLORS: Record<string, string> = { instance: '#0b5cad', volume: '#1a7f37', snapshot: '#9a6700', image: '#8250df' };
const color = (t: string) => COLORS[t] ?? '#57606a';

export function CostChart({ usage, from, to }: { usage: UsageGroup[]; from: string; to: string }) {
  const bars = dayBars(usage, from, to);
  const max = niceMax(Math.max(0, ...bars.map((b) => b.total)));
  const types = [...new Set(usage.map((u) => u.usageType))].sort();
  const W = 720, H = 220, left = 72, bottom = 24, top = 8;
  const plotH = H - bottom - top;
  const step = (W - left) / Math.max(1, bars.length);
  const total = bars.reduce((s, b) => s + b.total, 0);
  return (
    <figure className="chart" aria-label="Cost per day">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Cost per day from ${from} to ${to}: ${money(total)} in all`} preserveAspectRatio="xMinYMin meet">
        {[0, 0.5, 1].map((f) => {
          const y = top + plotH * (1 - f);
          return (
            <g key={f}>
              <line x1={left} x2={W} y1={y} y2={y} stroke="#d0d7de" />
              <text x={left - 6} y={y + 4} textAnchor="end" fontSize="11" fill="#57606a">{money(max * f, axisDigits(max))}</text>
            </g>
          );
        })}
        {bars.map((b, i) => {
          let y = top + plotH;
          return (
            <g key={b.day} data-day={b.day} data-micros={b.total}>
              <title>{`${b.day}: ${money(b.total, 6)}${b.parts.map((p) => `\n${p.type} ${money(p.micros, 6)}`).join('')}`}</title>
              {b.parts.map((p) => {
                const h = (p.micros / max) * plotH;
                y -= h;
                return <rect key={p.type} x={left + i * step + 1} y={y} width={Math.max(1, step - 2)} height={h} fill={color(p.type)} />;
              })}
              {(i % Math.ceil(bars.length / 10) === 0) && (
                <text x={left + i * step + step / 2} y={H - 6} textAnchor="middle" fontSize="11" fill="#57606a">{b.day.slice(5)}</text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {types.map((t) => <span key={t}><i style={{ background: color(t) }} aria-hidden="true" /> {t}</span>)}
        {types.length === 0 && <span className="muted">No usage in this period.</span>}
      </figcaption>
    </figure>
  );
}
