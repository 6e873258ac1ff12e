import { formatDuration } from './duration';

/*
 * A static line chart as inline SVG, written by hand (no dependency, works offline): axes with ticks and labels,
 * one named polyline per series, a legend, shaded intervals (database outages) and a marker (end of the scenario).
 */

export interface ChartLine {
  readonly name: string;
  /** One value per second. */
  readonly values: readonly number[];
  readonly dashed?: boolean;
}

export interface Chart {
  /** Stable id, written as data-chart (the browser test looks for it). */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly ChartLine[];
  readonly shaded?: ReadonlyArray<{ readonly from: number; readonly to: number; readonly label: string }>;
  readonly marker?: { readonly at: number; readonly label: string };
}

const WIDTH = 920;
const PLOT_HEIGHT = 190;
const MARGIN = { left: 72, right: 24, bottom: 42 };
const MAX_POINTS = 600;
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round axis maximum at or above `value` (1, 2, 2.5, 5 × 10^n). */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** A readable time step at or above `seconds` (10 s, 30 s, 1 m, 5 m, …). */
function timeStep(seconds: number): number {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]) if (step >= seconds) return step;
  return niceMax(seconds);
}

function formatNumber(value: number): string {
  if (value >= 1e6) return `${Math.round(value / 1e5) / 10}M`;
  if (value >= 1e4) return `${Math.round(value / 100) / 10}k`;
  return String(Math.round(value * 100) / 100);
}

/** At most MAX_POINTS points: each keeps the highest value of its span, so peaks survive. */
function downsample(values: readonly number[]): Array<[number, number]> {
  const step = Math.max(1, Math.ceil(values.length / MAX_POINTS));
  const points: Array<[number, number]> = [];
  for (let i = 0; i < values.length; i += step) {
    let peak = values[i];
    for (let j = i + 1; j < Math.min(values.length, i + step); j++) if (values[j] > peak) peak = values[j];
    points.push([i, peak]);
  }
  if (values.length > 0 && points[points.length - 1][0] !== values.length - 1) points.push([values.length - 1, values[values.length - 1]]);
  return points;
}

export function renderChart(chart: Chart): string {
  const seconds = Math.max(1, ...chart.lines.map((l) => l.values.length - 1));
  const top = niceMax(Math.max(0, ...chart.lines.flatMap((l) => l.values.map((v) => (Number.isFinite(v) ? v : 0)))));
  const longest = Math.max(...chart.lines.map((l) => l.name.length));
  const perRow = longest > 44 ? 1 : longest > 28 ? 2 : 3;
  // The legend sits between the title and the plot; its rows push the plot down.
  const marginTop = 34 + Math.ceil(chart.lines.length / perRow) * 14;
  const HEIGHT = marginTop + PLOT_HEIGHT + MARGIN.bottom;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PLOT_HEIGHT;
  const x = (s: number) => MARGIN.left + (s / seconds) * plotW;
  const y = (v: number) => marginTop + plotH - (v / top) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" role="img" data-chart="${escapeXml(chart.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`);
  parts.push(`<title>${escapeXml(chart.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<text x="${MARGIN.left}" y="18" font-size="15" font-weight="bold" fill="#222">${escapeXml(chart.title)}</text>`);
  for (const band of chart.shaded ?? []) {
    const from = Math.max(0, Math.min(seconds, band.from));
    const to = Math.max(from, Math.min(seconds, band.to));
    parts.push(`<rect class="shaded" x="${x(from).toFixed(1)}" y="${marginTop}" width="${(x(to) - x(from)).toFixed(1)}" height="${plotH}" fill="#f4c7c3" opacity="0.6"><title>${escapeXml(band.label)}</title></rect>`);
    parts.push(`<text x="${(x(from) + 4).toFixed(1)}" y="${marginTop + 14}" fill="#a33">${escapeXml(band.label)}</text>`);
  }
  // Axes, grid and tick labels.
  for (let i = 0; i <= 5; i++) {
    const v = (top * i) / 5;
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${formatNumber(v)}</text>`);
  }
  const tickEvery = timeStep(seconds / 6);
  for (let s = 0; s <= seconds + 1e-9; s += tickEvery) {
    parts.push(`<line x1="${x(s).toFixed(1)}" x2="${x(s).toFixed(1)}" y1="${marginTop + plotH}" y2="${marginTop + plotH + 5}" stroke="#444"/>`);
    parts.push(`<text x="${x(s).toFixed(1)}" y="${marginTop + plotH + 18}" text-anchor="middle" fill="#444">${formatDuration(s)}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${marginTop}" y2="${marginTop + plotH}" stroke="#444"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${marginTop + plotH}" y2="${marginTop + plotH}" stroke="#444"/>`);
  parts.push(`<text x="${WIDTH - MARGIN.right}" y="${HEIGHT - 6}" text-anchor="end" fill="#444">time since the scenario started</text>`);
  parts.push(`<text transform="translate(14 ${marginTop + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#444">${escapeXml(chart.unit)}</text>`);
  if (chart.marker && chart.marker.at <= seconds) {
    parts.push(`<line x1="${x(chart.marker.at).toFixed(1)}" x2="${x(chart.marker.at).toFixed(1)}" y1="${marginTop}" y2="${marginTop + plotH}" stroke="#777" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${(x(chart.marker.at) - 4).toFixed(1)}" y="${marginTop + plotH - 6}" text-anchor="end" fill="#555">${escapeXml(chart.marker.label)}</text>`);
  }
  // Lines and legend.
  chart.lines.forEach((line, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const points = downsample(line.values).map(([s, v]) => `${x(s).toFixed(1)},${y(Number.isFinite(v) ? v : 0).toFixed(1)}`).join(' ');
    parts.push(`<polyline data-series="${escapeXml(line.name)}" fill="none" stroke="${colour}" stroke-width="2"${line.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points}"><title>${escapeXml(line.name)}</title></polyline>`);
    const lx = MARGIN.left + (i % perRow) * Math.floor(840 / perRow);
    const ly = 34 + Math.floor(i / perRow) * 14;
    parts.push(`<g class="legend"><line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"${line.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${lx + 24}" y="${ly}" fill="#222">${escapeXml(line.name)}</text></g>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
