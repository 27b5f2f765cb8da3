/**
 * The bench's chart: one standalone SVG document (no scripts, no external references) drawn from a
 * report's figures, written beside its JSON and Markdown. Three parts, each drawn only when it has rows:
 * throughput per scenario (one bar per target, with its p99), the goal ratios against their goals, and
 * memory against its limit. The same report always gives the same bytes, so a chart can be diffed and
 * regenerated from a stored results file (bench/render-chart.ts).
 */

export interface ChartRun {
  /** e.g. 'light, no cache' */
  scenario: string;
  /** e.g. 'passthrough', 'mailgraph', 'baseline (050be34)', 'mailgraph + tracing' */
  target: string;
  requestsPerSecond: number;
  p99Ms: number;
}

export interface ChartGoal {
  /** e.g. 'light, no cache vs passthrough' */
  name: string;
  /** a ratio, e.g. 0.93 */
  measured: number;
  /** e.g. 0.9 */
  goal: number;
  met: boolean;
}

export interface ChartMemory {
  label: string;
  mib: number;
  limitMib: number;
}

export interface ChartReport {
  /** e.g. 'mailgraph npm run bench, 2026-11-30 10:40 UTC' */
  title: string;
  /** machine, connections, duration, Node.js version */
  subtitle: string;
  runs: ChartRun[];
  goals: ChartGoal[];
  memory: ChartMemory[];
}

const WIDTH = 960;
const MARGIN = 24;
const GAP = 12;
/** Room right of the bar span for the printed figures, so that a full-length bar never hides them. */
const FIGURES_WIDTH = 250;
const ROW_HEIGHT = 22;
const BAR_HEIGHT = 14;
const LABEL_SIZE = 13;
const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

const INK = '#1a1a1a';
const MUTED = '#4a4a4a';
const TRACK = '#e8eaed';
const MET = '#1b6e3a';
const MISSED = '#b3261e';
/** One colour per target, in the order targets first appear; each is at least 4.5:1 against white. */
const TARGET_COLOURS = ['#1f5fa8', '#a34a00', '#1b6e3a', '#6b3fa0', '#a3214f', '#4a5563'];

export function renderChart(report: ChartReport): string {
  const labels = [
    ...report.runs.map((run) => run.target),
    ...report.goals.map((goal) => goal.name),
    ...report.memory.map((memory) => memory.label),
  ];
  // Up to 400: a goal's name with its Node version, "20 messages with events, warm vs baseline (Node 24)", fits.
  const labelWidth = clamp(Math.max(0, ...labels.map((label) => textWidth(label, LABEL_SIZE))) + 8, 140, 400);
  const barSpan = WIDTH - 2 * MARGIN - labelWidth - GAP - FIGURES_WIDTH;
  const layout: Layout = {
    labelRight: MARGIN + labelWidth,
    barLeft: MARGIN + labelWidth + GAP,
    barSpan,
    figuresLeft: MARGIN + labelWidth + GAP + barSpan + GAP,
  };

  const body: string[] = [];
  let y = MARGIN;
  body.push(text(MARGIN, y + 18, report.title, { size: 20, weight: 600, maxWidth: WIDTH - 2 * MARGIN }));
  y += 30;
  body.push(text(MARGIN, y + 14, report.subtitle, { size: 13, fill: MUTED, maxWidth: WIDTH - 2 * MARGIN }));
  y += 24;

  if (report.runs.length > 0) y = drawThroughput(body, layout, y, report.runs);
  if (report.goals.length > 0) y = drawGoals(body, layout, y, report.goals);
  if (report.memory.length > 0) y = drawMemory(body, layout, y, report.memory);
  const height = Math.ceil(y + MARGIN);

  const metCount = report.goals.filter((goal) => goal.met).length;
  const description = [
    report.subtitle.trim().replace(/\.?$/, '.'),
    report.goals.length > 0 ? `${metCount} of ${report.goals.length} goals met.` : '',
  ]
    .filter((sentence) => sentence !== '' && sentence !== '.')
    .join(' ');

  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(report.title)}" font-family="${FONT_FAMILY}">`,
    `<title>${escapeXml(report.title)}</title>`,
    `<desc>${escapeXml(description)}</desc>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...body,
    `</svg>`,
    '',
  ].join('\n');
}

interface Layout {
  /** Where row labels end (they are right-aligned against it). */
  labelRight: number;
  barLeft: number;
  barSpan: number;
  /** Where the figures of the goal and memory rows start, right of every bar and marker. */
  figuresLeft: number;
}

/**
 * Requests per second, grouped by scenario. Each scenario has its own scale: scenarios differ by orders
 * of magnitude (a cached read against a fan-out), and the chart compares targets within a scenario.
 */
function drawThroughput(body: string[], layout: Layout, top: number, runs: ChartRun[]): number {
  let y = sectionHeading(
    body,
    top,
    'Throughput',
    'Requests per second under load, each scenario on its own scale; p99 latency beside each bar.',
  );
  const targets = unique(runs.map((run) => run.target));
  for (const scenario of unique(runs.map((run) => run.scenario))) {
    const rows = runs.filter((run) => run.scenario === scenario);
    body.push(text(MARGIN, y + 14, scenario, { size: 14, weight: 600, maxWidth: WIDTH - 2 * MARGIN }));
    y += 22;
    const max = Math.max(0, ...rows.map((run) => finiteOrZero(run.requestsPerSecond)));
    for (const run of rows) {
      const colour = TARGET_COLOURS[targets.indexOf(run.target) % TARGET_COLOURS.length]!;
      const width = barWidth(run.requestsPerSecond, max, layout.barSpan);
      rowLabel(body, layout, y, run.target);
      body.push(rect(layout.barLeft, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, width, BAR_HEIGHT, colour));
      const figures = `${formatRate(run.requestsPerSecond)} req/s, p99 ${formatMs(run.p99Ms)}`;
      body.push(text(layout.barLeft + width + 8, y + 15, figures, { size: LABEL_SIZE }));
      y += ROW_HEIGHT;
    }
    y += 8;
  }
  return y;
}

/** The goal ratios: a bar for what was measured, a black line at the goal, and the verdict in words. */
function drawGoals(body: string[], layout: Layout, top: number, goals: ChartGoal[]): number {
  let y = sectionHeading(
    body,
    top,
    'Goals',
    'Measured ratio; the black line marks the goal, at the middle of each row (a bar reaching the end is at least twice the goal).',
  );
  const figures = goals.map((goal) => `${formatRatio(goal.measured)} (goal ${formatRatio(goal.goal)})`);
  const verdictX = verdictColumn(layout, figures);
  goals.forEach((goal, index) => {
    const colour = goal.met ? MET : MISSED;
    rowLabel(body, layout, y, goal.name);
    // Each row on its own scale, twice its goal: one goal far above the others (26× a baseline) would
    // otherwise squeeze the rest to slivers next to the origin.
    const max =
      finiteOrZero(goal.goal) > 0 ? 2 * goal.goal : niceCeiling(Math.max(1, finiteOrZero(goal.measured)));
    trackAndBar(body, layout, y, barWidth(goal.measured, max, layout.barSpan), colour);
    marker(body, layout.barLeft + barWidth(goal.goal, max, layout.barSpan), y);
    body.push(text(layout.figuresLeft, y + 15, figures[index]!, { size: LABEL_SIZE }));
    body.push(verdict(verdictX, y, goal.met ? 'met' : 'missed', colour));
    y += ROW_HEIGHT;
  });
  return y + 8;
}

/** Memory on one scale for every row (all in MiB), with a black line at each row's limit. */
function drawMemory(body: string[], layout: Layout, top: number, memory: ChartMemory[]): number {
  let y = sectionHeading(body, top, 'Memory', 'MiB; the black line marks the limit.');
  const max = Math.max(0, ...memory.flatMap((row) => [row.mib, row.limitMib].map(finiteOrZero))) * 1.05;
  const figures = memory.map((row) => `${formatMib(row.mib)} MiB, limit ${formatMib(row.limitMib)} MiB`);
  const verdictX = verdictColumn(layout, figures);
  memory.forEach((row, index) => {
    const over = Number.isFinite(row.mib) && Number.isFinite(row.limitMib) && row.mib > row.limitMib;
    rowLabel(body, layout, y, row.label);
    trackAndBar(body, layout, y, barWidth(row.mib, max, layout.barSpan), over ? MISSED : TARGET_COLOURS[0]!);
    marker(body, layout.barLeft + barWidth(row.limitMib, max, layout.barSpan), y);
    body.push(text(layout.figuresLeft, y + 15, figures[index]!, { size: LABEL_SIZE }));
    if (over) body.push(verdict(verdictX, y, 'over', MISSED));
    y += ROW_HEIGHT;
  });
  return y + 8;
}

/**
 * A row's figures go right of the bar span, where no bar or marker reaches; its verdict follows in words
 * (colour alone does not tell it), in one column after the longest figures of the section.
 */
function verdictColumn(layout: Layout, figures: string[]): number {
  return layout.figuresLeft + Math.max(0, ...figures.map((line) => textWidth(line, LABEL_SIZE))) + 10;
}

function verdict(x: number, y: number, word: string, colour: string): string {
  return text(x, y + 15, word, { size: LABEL_SIZE, weight: 700, fill: colour });
}

function sectionHeading(body: string[], top: number, heading: string, note: string): number {
  const y = top + 10;
  body.push(`<line x1="${MARGIN}" y1="${y}" x2="${WIDTH - MARGIN}" y2="${y}" stroke="#c4c7cc"/>`);
  body.push(text(MARGIN, y + 26, heading, { size: 16, weight: 700 }));
  body.push(text(MARGIN, y + 45, note, { size: 12, fill: MUTED, maxWidth: WIDTH - 2 * MARGIN }));
  return y + 56;
}

function rowLabel(body: string[], layout: Layout, y: number, label: string): void {
  body.push(
    text(layout.labelRight, y + 15, label, {
      size: LABEL_SIZE,
      anchor: 'end',
      maxWidth: layout.labelRight - MARGIN,
    }),
  );
}

function trackAndBar(body: string[], layout: Layout, y: number, width: number, colour: string): void {
  const barTop = y + (ROW_HEIGHT - BAR_HEIGHT) / 2;
  body.push(rect(layout.barLeft, barTop, layout.barSpan, BAR_HEIGHT, TRACK));
  body.push(rect(layout.barLeft, barTop, width, BAR_HEIGHT, colour));
}

/** A goal or limit line, outlined in white so that it stays visible on top of a dark bar. */
function marker(body: string[], x: number, y: number): void {
  const points = `x1="${round(x)}" y1="${y + 1}" x2="${round(x)}" y2="${y + ROW_HEIGHT - 1}"`;
  body.push(`<line ${points} stroke="#ffffff" stroke-width="4"/>`);
  body.push(`<line ${points} stroke="#000000" stroke-width="2"/>`);
}

function rect(x: number, y: number, width: number, height: number, fill: string): string {
  return `<rect x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${height}" fill="${fill}"/>`;
}

interface TextOptions {
  size: number;
  weight?: number;
  fill?: string;
  anchor?: 'start' | 'end';
  /** Longer text is cut with an ellipsis; the whole text stays in the element's tooltip. */
  maxWidth?: number;
}

function text(x: number, y: number, content: string, options: TextOptions): string {
  const shown =
    options.maxWidth === undefined ? content : fitText(content, options.maxWidth, glyphWidth(options));
  const attributes = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `font-size="${options.size}"`,
    options.weight === undefined ? '' : `font-weight="${options.weight}"`,
    `fill="${options.fill ?? INK}"`,
    options.anchor === 'end' ? 'text-anchor="end"' : '',
  ].filter(Boolean);
  const tooltip = shown === content ? '' : `<title>${escapeXml(content)}</title>`;
  return `<text ${attributes.join(' ')}>${tooltip}${escapeXml(shown)}</text>`;
}

/**
 * An estimate of the rendered width: the chart cannot measure text, and a system font's average glyph is
 * a little over half its size (a bold one a little wider). Generous, so that labels do not run into bars.
 */
function glyphWidth(options: { size: number; weight?: number }): number {
  return options.size * ((options.weight ?? 400) >= 600 ? 0.64 : 0.58);
}

function textWidth(content: string, size: number): number {
  return Array.from(content).length * glyphWidth({ size });
}

function fitText(content: string, maxWidth: number, glyph: number): string {
  const characters = Array.from(content);
  const fits = Math.floor(maxWidth / glyph);
  return characters.length <= fits ? content : `${characters.slice(0, Math.max(1, fits - 1)).join('')}…`;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Escapes text for element content and attribute values alike. Characters that XML 1.0 forbids even
 * escaped (most control characters, unpaired surrogates) are dropped or replaced, so any label still
 * gives a well-formed document.
 */
export function escapeXml(content: string): string {
  return content
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (character) => XML_ESCAPES[character]!);
}

function barWidth(value: number, max: number, span: number): number {
  if (!Number.isFinite(value) || value <= 0 || max <= 0) return 0;
  return (Math.min(value, max) / max) * span;
}

/** The next tenth above the largest ratio, so that a goal of 1.0 or a ratio of 1.12 still fits. */
function niceCeiling(value: number): number {
  return Math.ceil(value * 10 + 0.5) / 10;
}

function finiteOrZero(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Digits grouped by thousands with a comma, whatever the machine's locale, so output is the same everywhere. */
function grouped(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatRate(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return grouped(value);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return `${grouped(value)} ms`;
  return `${value >= 1 ? value.toFixed(1) : value.toFixed(2)} ms`;
}

function formatRatio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : 'n/a';
}

function formatMib(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 10 ? grouped(value) : value.toFixed(1);
}
