/**
 * The subset of the Elasticsearch query-string syntax that the emulator understands. CloudMailin's
 * `query` parameter is documented (cloudmailin-mcp README) as Elasticsearch query-string syntax; the
 * emulator implements:
 *
 *   *                          everything (cloudmailin-mcp sends it when there is no filter); empty = everything
 *   word                       case-insensitive substring on the resource's default fields
 *   "two words"                the same, for a phrase
 *   field:value                field match: exact (case-insensitive) on keyword fields such as `status`,
 *                              substring on text fields such as `from`, `to`, `subject`
 *   field:"quoted value"       the same, with spaces
 *   field:val*  field:v?lue    wildcards (`*` any run, `?` one character)
 *   field:*                    the field has a non-empty value
 *   created_at:[A TO B]        date range, inclusive (`{A TO B}` exclusive); A and B are `*`, an ISO date
 *                              or date-time, or `now`, `now-1d`, `now-6h`, `now-30m`, each optionally
 *                              rounded with `/d`, `/h` or `/m` (e.g. `[now-1d/d TO now]`)
 *   created_at:2026-10-05      date prefix (that day)
 *   a AND b, a OR b, NOT a, -a, ( … )
 *                              AND binds tighter than OR; two terms side by side are OR-ed, as with
 *                              Elasticsearch's default operator
 *
 * An unknown field matches nothing (as in Elasticsearch). Unbalanced quotes, brackets or parentheses
 * are a `QuerySyntaxError`.
 */

export type FieldKind = 'keyword' | 'text' | 'date';

export interface FieldSpec<T> {
  kind: FieldKind;
  values(item: T): Array<string | null | undefined>;
}

export interface QuerySchema<T> {
  fields: Record<string, FieldSpec<T>>;
  /** Fields searched by a bare word or phrase. */
  defaultFields: Array<(item: T) => Array<string | null | undefined>>;
}

export type Predicate<T> = (item: T) => boolean;

export class QuerySyntaxError extends Error {
  override name = 'QuerySyntaxError';
}

type Token =
  | { type: 'and' | 'or' | 'not' | 'open' | 'close' }
  | { type: 'term'; field: string | null; value: string; quoted: boolean; negated: boolean };

export function compileQuery<T>(query: string, schema: QuerySchema<T>, now: () => number): Predicate<T> {
  const tokens = tokenize(query);
  if (tokens.length === 0) return () => true;
  const parser = new Parser(tokens, schema, now);
  const predicate = parser.parseOr();
  if (!parser.done()) throw new QuerySyntaxError('unexpected ")"');
  return predicate;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const char = query[i] ?? '';
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: char === '(' ? 'open' : 'close' });
      i++;
    } else {
      const negated = char === '-' && i + 1 < query.length && !/\s/.test(query[i + 1] ?? '');
      if (negated) i++;
      const [token, next] = readTerm(query, i, negated);
      tokens.push(token);
      i = next;
    }
  }
  return tokens;
}

function readTerm(query: string, start: number, negated: boolean): [Token, number] {
  if (query[start] === '"') {
    const [value, next] = readQuoted(query, start);
    return [{ type: 'term', field: null, value, quoted: true, negated }, next];
  }
  let i = start;
  while (i < query.length && !/[\s():"[{]/.test(query[i] ?? '')) i++;
  const word = query.slice(start, i);
  if (query[i] === ':' && word !== '') {
    const field = word.toLowerCase();
    const open = query[i + 1];
    if (open === '"') {
      const [value, next] = readQuoted(query, i + 1);
      return [{ type: 'term', field, value, quoted: true, negated }, next];
    }
    if (open === '[' || open === '{') {
      // Elasticsearch allows mixed ends: `[a TO b}`.
      const close = query.slice(i + 2).search(/[\]}]/) + i + 2;
      if (close < i + 2) throw new QuerySyntaxError(`unclosed range after ${field}:`);
      return [
        { type: 'term', field, value: query.slice(i + 1, close + 1), quoted: false, negated },
        close + 1,
      ];
    }
    let end = i + 1;
    while (end < query.length && !/[\s()]/.test(query[end] ?? '')) end++;
    return [{ type: 'term', field, value: query.slice(i + 1, end), quoted: false, negated }, end];
  }
  if (word === '') throw new QuerySyntaxError(`unexpected "${query[i]}"`);
  if (!negated && (word === 'AND' || word === '&&')) return [{ type: 'and' }, i];
  if (!negated && (word === 'OR' || word === '||')) return [{ type: 'or' }, i];
  if (!negated && word === 'NOT') return [{ type: 'not' }, i];
  return [{ type: 'term', field: null, value: word, quoted: false, negated }, i];
}

function readQuoted(query: string, openQuote: number): [string, number] {
  const close = query.indexOf('"', openQuote + 1);
  if (close < 0) throw new QuerySyntaxError('unclosed quote');
  return [query.slice(openQuote + 1, close), close + 1];
}

class Parser<T> {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly schema: QuerySchema<T>,
    private readonly now: () => number,
  ) {}

  done(): boolean {
    return this.position >= this.tokens.length;
  }

  parseOr(): Predicate<T> {
    const alternatives = [this.parseAnd()];
    for (;;) {
      const token = this.tokens[this.position];
      if (token === undefined || token.type === 'close') break;
      if (token.type === 'or') this.position++;
      alternatives.push(this.parseAnd());
    }
    return alternatives.length === 1 ? alternatives[0]! : (item) => alternatives.some((p) => p(item));
  }

  private parseAnd(): Predicate<T> {
    const all = [this.parseUnary()];
    while (this.tokens[this.position]?.type === 'and') {
      this.position++;
      all.push(this.parseUnary());
    }
    return all.length === 1 ? all[0]! : (item) => all.every((p) => p(item));
  }

  private parseUnary(): Predicate<T> {
    if (this.tokens[this.position]?.type === 'not') {
      this.position++;
      const inner = this.parseUnary();
      return (item) => !inner(item);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Predicate<T> {
    const token = this.tokens[this.position++];
    if (token === undefined) throw new QuerySyntaxError('the query ends too early');
    if (token.type === 'open') {
      const inner = this.parseOr();
      if (this.tokens[this.position++]?.type !== 'close') throw new QuerySyntaxError('missing ")"');
      return inner;
    }
    if (token.type !== 'term') throw new QuerySyntaxError(`unexpected ${token.type.toUpperCase()}`);
    const predicate = this.termPredicate(token.field, token.value, token.quoted);
    return token.negated ? (item) => !predicate(item) : predicate;
  }

  private termPredicate(field: string | null, value: string, quoted: boolean): Predicate<T> {
    if (field === null) {
      if (value === '*' && !quoted) return () => true;
      const matches = textMatcher(value, quoted);
      return (item) => this.schema.defaultFields.some((values) => values(item).some(matches));
    }
    const spec = this.schema.fields[field];
    if (spec === undefined) return () => false;
    if (value === '*' && !quoted) return (item) => spec.values(item).some((v) => v != null && v !== '');
    let matches: (value: string | null | undefined) => boolean;
    if (spec.kind === 'date') matches = dateMatcher(value, this.now);
    else if (spec.kind === 'text') matches = textMatcher(value, quoted);
    else matches = keywordMatcher(value, quoted);
    return (item) => spec.values(item).some(matches);
  }
}

function wildcardRegExp(value: string, anchored: boolean): RegExp {
  const body = value
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(anchored ? `^${body}$` : body, 'is');
}

function textMatcher(value: string, quoted: boolean): (candidate: string | null | undefined) => boolean {
  if (!quoted && /[*?]/.test(value)) {
    const pattern = wildcardRegExp(value, false);
    return (candidate) => candidate != null && pattern.test(candidate);
  }
  const needle = value.toLowerCase();
  return (candidate) => candidate?.toLowerCase().includes(needle) === true;
}

function keywordMatcher(value: string, quoted: boolean): (candidate: string | null | undefined) => boolean {
  if (!quoted && /[*?]/.test(value)) {
    const pattern = wildcardRegExp(value, true);
    return (candidate) => candidate != null && pattern.test(candidate);
  }
  const wanted = value.toLowerCase();
  return (candidate) => candidate != null && candidate.toLowerCase() === wanted;
}

function dateMatcher(value: string, now: () => number): (candidate: string | null | undefined) => boolean {
  const range = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/.exec(value);
  if (range === null) return (candidate) => candidate?.startsWith(value) === true;
  const [, open, from = '*', to = '*', close] = range;
  const low = from === '*' ? Number.NEGATIVE_INFINITY : dateMath(from, now(), false);
  const high = to === '*' ? Number.POSITIVE_INFINITY : dateMath(to, now(), close === ']');
  return (candidate) => {
    if (candidate == null) return false;
    const at = Date.parse(candidate);
    if (Number.isNaN(at)) return false;
    const aboveLow = open === '[' ? at >= low : at > low;
    const belowHigh = close === ']' ? at <= high : at < high;
    return aboveLow && belowHigh;
  };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `now`, `now-1d`, `now+2h`, optionally `/d`-rounded; or an ISO date. Inclusive upper bounds round up (as ES does). */
function dateMath(expression: string, now: number, roundUp: boolean): number {
  const math = /^now(?:([+-])(\d+)([smhdw]))?(?:\/([smhdw]))?$/.exec(expression);
  if (math === null) {
    const at = Date.parse(expression);
    if (Number.isNaN(at)) throw new QuerySyntaxError(`not a date: ${expression}`);
    return at;
  }
  const [, sign, amount, unit, round] = math;
  let at = now;
  if (sign !== undefined && amount !== undefined && unit !== undefined) {
    at += (sign === '-' ? -1 : 1) * Number(amount) * (UNIT_MS[unit] ?? 0);
  }
  if (round !== undefined) {
    const size = UNIT_MS[round] ?? 1;
    at = Math.floor(at / size) * size + (roundUp ? size - 1 : 0);
  }
  return at;
}
