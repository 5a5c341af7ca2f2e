/**
 * A line chart on a canvas for the dashboard page: rates over the last minutes, one line per series,
 * a y axis with round steps, a time axis in minutes back from now and a legend. Runs in the browser
 * (see client-format.ts for why it stands alone).
 */

export interface ChartSeries {
  label: string;
  /** Values per sample time; NaN where the series had no value yet. */
  values: number[];
}

/**
 * Draws `series` over `times` (ms since the epoch, ascending) spanning the last `windowMs`, scaled to the
 * canvas's CSS size. `fmt` formats a y value for the axis.
 */
export function drawChart(canvas: HTMLCanvasElement, times: number[], series: ChartSeries[], windowMs: number, fmt: (v: number) => string): void {
  const colors = ["#2f7ed8", "#e4572e", "#29a36a", "#f3a712", "#8e44ad", "#17a2b8", "#c0392b", "#7f8c8d"];
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const g = canvas.getContext("2d");
  if (g === null) return;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  const left = 64;
  const right = 12;
  const top = 26;
  const bottom = 22;
  const pw = w - left - right;
  const ph = h - top - bottom;
  const now = times.length > 0 ? times[times.length - 1]! : Date.now();
  const t0 = now - windowMs;

  let max = 0;
  for (const s of series) for (const v of s.values) if (Number.isFinite(v) && v > max) max = v;
  // A round step: 1, 2 or 5 times a power of ten, about four of them up the axis.
  const rough = max > 0 ? max / 4 : 1;
  const p10 = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * p10).find((s) => s >= rough)!;
  const ymax = Math.max(step, Math.ceil(max / step) * step);
  const x = (t: number) => left + ((t - t0) / windowMs) * pw;
  const y = (v: number) => top + ph - (v / ymax) * ph;

  g.font = "11px system-ui, sans-serif";
  g.lineWidth = 1;
  g.strokeStyle = "#e3e6ea";
  g.fillStyle = "#6b7280";
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (let v = 0; v <= ymax + step / 2; v += step) {
    g.beginPath();
    g.moveTo(left, Math.round(y(v)) + 0.5);
    g.lineTo(left + pw, Math.round(y(v)) + 0.5);
    g.stroke();
    g.fillText(fmt(v), left - 6, y(v));
  }
  g.textAlign = "center";
  g.textBaseline = "top";
  const minutes = Math.round(windowMs / 60000);
  for (let m = 0; m <= minutes; m++) {
    const t = now - m * 60000;
    g.fillText(m === 0 ? "now" : `-${m}m`, x(t), top + ph + 6);
  }

  series.forEach((s, i) => {
    const color = colors[i % colors.length]!;
    g.strokeStyle = color;
    g.lineWidth = 1.75;
    g.beginPath();
    let pen = false;
    for (let k = 0; k < times.length; k++) {
      const v = s.values[k];
      if (v === undefined || !Number.isFinite(v) || times[k]! < t0) {
        pen = false;
        continue;
      }
      if (pen) g.lineTo(x(times[k]!), y(v));
      else g.moveTo(x(times[k]!), y(v));
      pen = true;
    }
    g.stroke();
    // Legend, left to right along the top.
    const lx = left + 8 + i * Math.min(160, pw / Math.max(1, series.length));
    g.fillStyle = color;
    g.fillRect(lx, 8, 10, 10);
    g.fillStyle = "#374151";
    g.textAlign = "left";
    g.textBaseline = "top";
    g.fillText(s.label, lx + 14, 7);
  });
}
