/**
 * `tsx bench/render-chart.ts bench/results/<stamp>.json`: draws the chart of a stored bench result again,
 * from the ChartReport the bench keeps under its top-level `chart` key, and writes it beside the file with
 * the same name and `.svg` (for instance after a change to bench/chart.ts, or for a result from another
 * machine).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { type ChartReport, renderChart } from './chart.js';

const chartReportSchema = z.object({
  title: z.string(),
  subtitle: z.string(),
  runs: z.array(
    z.object({ scenario: z.string(), target: z.string(), requestsPerSecond: z.number(), p99Ms: z.number() }),
  ),
  goals: z.array(z.object({ name: z.string(), measured: z.number(), goal: z.number(), met: z.boolean() })),
  memory: z.array(z.object({ label: z.string(), mib: z.number(), limitMib: z.number() })),
}) satisfies z.ZodType<ChartReport>;

const [file] = process.argv.slice(2);
if (!file || !file.endsWith('.json')) {
  process.stderr.write('usage: tsx bench/render-chart.ts <bench/results/….json>\n');
  process.exit(2);
}

const parsed = chartReportSchema.safeParse(
  (JSON.parse(readFileSync(file, 'utf8')) as { chart?: unknown }).chart,
);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `chart.${issue.path.join('.')}: ${issue.message}`);
  process.stderr.write(`${file} holds no usable "chart" report:\n${problems.join('\n')}\n`);
  process.exit(1);
}

const output = file.replace(/\.json$/, '.svg');
writeFileSync(output, renderChart(parsed.data));
process.stdout.write(`${output} written\n`);
