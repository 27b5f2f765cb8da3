import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChartReport, renderChart } from '../bench/chart.js';

const report: ChartReport = {
  title: 'mailgraph npm run bench, 2026-11-30 10:40 UTC',
  subtitle: '2 cores, 20 connections, 10 s per run, Node.js v20.20.2',
  runs: [
    { scenario: 'light, no cache', target: 'passthrough', requestsPerSecond: 4210.4, p99Ms: 9.8 },
    { scenario: 'light, no cache', target: 'mailgraph', requestsPerSecond: 2105.2, p99Ms: 11.25 },
    { scenario: 'heavy, warm cache', target: 'passthrough', requestsPerSecond: 612.5, p99Ms: 161.3 },
    { scenario: 'heavy, warm cache', target: 'mailgraph', requestsPerSecond: 2380.9, p99Ms: 0.84 },
  ],
  goals: [
    { name: 'light, no cache vs passthrough', measured: 0.93, goal: 0.9, met: true },
    { name: 'tracing overhead', measured: 0.87, goal: 0.95, met: false },
  ],
  memory: [{ label: 'RSS under load', mib: 188, limitMib: 256 }],
};

/**
 * A small well-formedness check for the SVG the chart writes (no XML parser is among the dependencies):
 * tags balance and nest, attributes are quoted and unique, `<` never appears in text, and every `&` starts
 * an entity. Returns the elements in document order with their attributes and direct text.
 */
function parseXml(xml: string): { name: string; attributes: Record<string, string>; text: string }[] {
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const elements: { name: string; attributes: Record<string, string>; text: string }[] = [];
  const open: number[] = [];
  let roots = 0;
  for (const [token] of body.matchAll(/<[^>]*>|[^<]+/g)) {
    if (!token.startsWith('<')) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(token))
        throw new Error(`bare & in ${token}`);
      if (open.length === 0) {
        if (token.trim() !== '') throw new Error(`text outside the root: ${token}`);
        continue;
      }
      elements[open.at(-1)!]!.text += token;
      continue;
    }
    const closing = /^<\/([A-Za-z][\w.-]*)\s*>$/.exec(token);
    if (closing) {
      const at = open.pop();
      if (at === undefined || elements[at]!.name !== closing[1]) throw new Error(`unbalanced ${token}`);
      continue;
    }
    const tag = /^<([A-Za-z][\w.-]*)((?:\s+[A-Za-z][\w:.-]*="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (!tag) throw new Error(`malformed tag ${token}`);
    const attributes: Record<string, string> = {};
    for (const [, name, value] of tag[2]!.matchAll(/([A-Za-z][\w:.-]*)="([^"]*)"/g)) {
      if (name! in attributes) throw new Error(`duplicate attribute ${name} in ${token}`);
      if (/&(?!(?:amp|lt|gt|quot|apos);)/.test(value!)) throw new Error(`bare & in ${token}`);
      attributes[name!] = value!;
    }
    if (open.length === 0 && roots++ > 0) throw new Error(`a second root element: ${token}`);
    elements.push({ name: tag[1]!, attributes, text: '' });
    if (tag[3] !== '/') open.push(elements.length - 1);
  }
  if (open.length > 0 || roots !== 1) throw new Error('unclosed elements or no root');
  return elements;
}

const temporaryDirectories: string[] = [];
afterEach(() => {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('the bench chart', () => {
  it('the well-formedness check refuses what is not XML', () => {
    expect(() => parseXml('<svg><text>a < b</text></svg>')).toThrow();
    expect(() => parseXml('<svg><text>R&D</text></svg>')).toThrow();
    expect(() => parseXml('<svg><g></svg>')).toThrow();
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow();
    expect(parseXml('<svg><text>R&amp;D</text></svg>')).toHaveLength(2);
  });

  it('is one well-formed, self-contained SVG with a title and an accessible name', () => {
    const svg = renderChart(report);
    const elements = parseXml(svg);
    const root = elements[0]!;
    expect(root.name).toBe('svg');
    expect(root.attributes).toMatchObject({
      xmlns: 'http://www.w3.org/2000/svg',
      role: 'img',
      'aria-label': report.title,
    });
    expect(elements[1]).toMatchObject({ name: 'title', text: report.title });
    expect(svg).not.toMatch(/<script|href=|url\(|@import/i);
    expect(new Set(elements.map((element) => element.name))).toEqual(
      new Set(['svg', 'title', 'desc', 'rect', 'line', 'text']),
    );
  });

  it('prints every figure: req/s with p99 per target, each goal with its verdict, memory with its limit', () => {
    const texts = parseXml(renderChart(report))
      .filter((element) => element.name === 'text')
      .map((element) => element.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'light, no cache',
        'heavy, warm cache',
        '4,210 req/s, p99 9.8 ms',
        '2,105 req/s, p99 11.3 ms',
        '613 req/s, p99 161 ms',
        '2,381 req/s, p99 0.84 ms',
        '0.93 (goal 0.90)',
        '0.87 (goal 0.95)',
        '188 MiB, limit 256 MiB',
      ]),
    );
    expect(texts.filter((text) => text === 'passthrough')).toHaveLength(2);
    expect(texts.filter((text) => text === 'met')).toHaveLength(1);
    expect(texts.filter((text) => text === 'missed')).toHaveLength(1);
    expect(texts).not.toContain('over');
  });

  it('says "missed" for a goal that was missed and "over" for memory above its limit, in words', () => {
    const texts = parseXml(
      renderChart({
        ...report,
        goals: report.goals.map((goal) => ({ ...goal, met: false })),
        memory: [{ label: 'RSS with 1,010 subscriptions', mib: 301, limitMib: 256 }],
      }),
    )
      .filter((element) => element.name === 'text')
      .map((element) => element.text);
    expect(texts.filter((text) => text === 'missed')).toHaveLength(2);
    expect(texts).not.toContain('met');
    expect(texts).toContain('over');
  });

  it('draws bars in proportion within a scenario', () => {
    const bars = parseXml(renderChart({ ...report, goals: [], memory: [] }))
      .filter((element) => element.name === 'rect')
      .slice(1)
      .map((element) => Number(element.attributes.width));
    // light: 4210.4 and half of it; heavy: 612.5 against 2380.9, the longest bar of its own scenario.
    expect(bars).toHaveLength(4);
    expect(bars[1]! / bars[0]!).toBeCloseTo(0.5, 2);
    expect(bars[3]).toBe(bars[0]);
    expect(bars[2]! / bars[3]!).toBeCloseTo(612.5 / 2380.9, 2);
  });

  it('escapes every label, and drops characters XML cannot hold', () => {
    const hostile = 'a<b & "c" \'d\' </text><script>';
    const svg = renderChart({
      title: hostile,
      subtitle: `${hostile}\u0007`,
      runs: [{ scenario: hostile, target: hostile, requestsPerSecond: 10, p99Ms: 1 }],
      goals: [{ name: hostile, measured: 1, goal: 1, met: true }],
      memory: [{ label: hostile, mib: 1, limitMib: 2 }],
    });
    const elements = parseXml(svg);
    expect(svg).not.toContain('<b');
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('\u0007');
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot; &apos;d&apos; &lt;/text&gt;&lt;script&gt;');
    expect(elements[0]!.attributes['aria-label']).toBe(
      'a&lt;b &amp; &quot;c&quot; &apos;d&apos; &lt;/text&gt;&lt;script&gt;',
    );
    // aria-label, <title>, <desc>, the visible title and subtitle, the scenario, the target, the goal, the memory label.
    expect(svg.split('a&lt;b &amp; &quot;c&quot;').length - 1).toBe(9);
  });

  it('gives the same bytes for the same report', () => {
    expect(renderChart(structuredClone(report))).toBe(renderChart(report));
    expect(renderChart({ ...report, title: `${report.title}.` })).not.toBe(renderChart(report));
  });

  it('bench/render-chart.ts draws the chart of a stored results file beside it', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mailgraph-chart-'));
    temporaryDirectories.push(directory);
    const results = join(directory, '2026-11-30T10-40-00-000Z.json');
    writeFileSync(results, JSON.stringify({ command: 'npm run bench', chart: report }));
    const rendered = spawnSync(process.execPath, ['--import', 'tsx', 'bench/render-chart.ts', results], {
      encoding: 'utf8',
    });
    expect(rendered.status).toBe(0);
    expect(readFileSync(results.replace(/\.json$/, '.svg'), 'utf8')).toBe(renderChart(report));

    const withoutChart = join(directory, 'old.json');
    writeFileSync(withoutChart, JSON.stringify({ command: 'npm run bench' }));
    const refused = spawnSync(process.execPath, ['--import', 'tsx', 'bench/render-chart.ts', withoutChart], {
      encoding: 'utf8',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('holds no usable "chart" report');
  });
});
