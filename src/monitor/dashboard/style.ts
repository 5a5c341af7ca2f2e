/** The dashboard page's stylesheet (served as /dashboard/app.css). */
export const DASHBOARD_CSS = `
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f7f8fa; --card: #fff; --ok: #29a36a; --warn: #f3a712; --crit: #d64545 }
* { box-sizing: border-box }
body { margin: 0; font: 13px/1.4 ui-sans-serif, system-ui, sans-serif; color: var(--fg); background: var(--bg) }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px; padding: 12px 20px; background: #1f2937; color: #f9fafb }
header h1 { font-size: 18px; margin: 0 }
header #server-title { color: #d1d5db }
header #status { margin-left: auto; color: #9ca3af }
header #status.error { color: #fca5a5; font-weight: 600 }
nav { padding: 6px 20px; background: #111827 }
nav a { color: #93c5fd; margin-right: 14px; text-decoration: none }
nav a:hover { text-decoration: underline }
main { padding: 8px 20px 40px }
h2 { font-size: 15px; margin: 22px 0 8px; color: #374151 }
h2 small { font-weight: normal; color: var(--muted) }
.cards { display: flex; flex-wrap: wrap; gap: 8px }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 130px }
.card.wide { min-width: 260px }
.card .label { color: var(--muted); font-size: 12px }
.card .value { font-size: 18px; font-weight: 600; margin-top: 2px }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 10px }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px }
.chart h3 { font-size: 13px; margin: 2px 0 4px; color: #374151 }
.chart canvas { width: 100%; height: 200px; display: block }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line) }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap }
th { background: #f3f4f6; font-weight: 600; color: #374151 }
td span[data-value] { font-variant-numeric: tabular-nums }
tr.stalled td { background: #fff4e5 }
tr.stalled td[data-key="status"] { color: #b45309; font-weight: 600 }
.mono { font-family: ui-monospace, monospace; font-size: 11px }
.empty { color: var(--muted); margin: 4px 0 }
.bar { display: inline-block; width: 90px; height: 9px; background: #e5e7eb; border-radius: 4px; vertical-align: middle; overflow: hidden }
.bar i { display: block; height: 100%; background: var(--ok) }
.bar.warn i { background: var(--warn) }
.bar.crit i { background: var(--crit) }
.scroll { overflow-x: auto }
`;
