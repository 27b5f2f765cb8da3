import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type QuerySchema, QuerySyntaxError, compileQuery } from '../../src/sandbox/query-string.js';

interface Row {
  status: string;
  subject: string;
}

const schema: QuerySchema<Row> = {
  fields: {
    status: { kind: 'keyword', values: (r) => [r.status] },
    subject: { kind: 'text', values: (r) => [r.subject] },
  },
  defaultFields: [(r) => [r.subject]],
};

const rows: Row[] = [
  { status: '200', subject: 'Invoice 1' },
  { status: '404', subject: 'Hello world' },
  { status: '503', subject: 'Invoice 2' },
];

function run(query: string): Row[] {
  return rows.filter(compileQuery(query, schema, () => 0));
}

describe('query-string subset', () => {
  it('treats juxtaposed terms as OR (Elasticsearch default operator) and AND as tighter', () => {
    expect(run('status:200 status:404')).toEqual(rows.slice(0, 2));
    expect(run('status:200 OR status:404 AND subject:hello')).toEqual(rows.slice(0, 2));
    expect(run('status:200 OR status:404 AND subject:invoice')).toEqual([rows[0]]);
  });

  it('matches keywords exactly and text by substring, with wildcards', () => {
    expect(run('status:20')).toEqual([]);
    expect(run('status:20?')).toEqual([rows[0]]);
    expect(run('status:5*')).toEqual([rows[2]]);
    expect(run('subject:voice')).toEqual([rows[0], rows[2]]);
    expect(run('subject:*')).toEqual(rows);
  });

  it('throws only QuerySyntaxError, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            'a',
            ':',
            '"',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            ' ',
            '-',
            '*',
            'AND',
            'OR',
            'NOT',
            'TO',
            'now',
          ),
        }),
        (query) => {
          try {
            run(query);
          } catch (error) {
            expect(error).toBeInstanceOf(QuerySyntaxError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
