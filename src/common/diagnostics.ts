/**
 * User errors are data. A Diagnostic carries a stable code (see ./error-codes.ts), a message, a position in the
 * SQL text or config and a hint. Analysis collects all diagnostics it finds rather than stopping at the first.
 */

/** A region of source text. Lines and columns are 1-based; offsets are 0-based UTF-16 indices, end exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

export type Severity = 'error' | 'warning';
/** Whose fault: the user's input, an external system (retryable), or a bug in Freshet. */
export type Origin = 'user' | 'external' | 'internal';

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly hint?: string;
  /** For diagnostics about a file or config rather than the SQL script (e.g. a data file and its line). */
  readonly source?: string;
}

export function diag(code: string, message: string, span?: Span, hint?: string, severity: Severity = 'error'): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code, severity, message };
  if (span) d.span = span;
  if (hint) d.hint = hint;
  return d;
}

/** `unknown column 'amout' at 3:14; did you mean 'amount'?` style one-line rendering. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.span ? ` at ${d.span.line}:${d.span.column}` : '';
  const src = d.source ? `${d.source}: ` : '';
  const hint = d.hint ? `; ${d.hint}` : '';
  return `${src}${d.severity} ${d.code}: ${d.message}${where}${hint}`;
}

/** Renders a diagnostic with the offending source line and a caret under the span. */
export function renderDiagnostic(d: Diagnostic, text?: string): string {
  const head = formatDiagnostic(d);
  if (!d.span || text === undefined) return head;
  const lines = text.split('\n');
  const line = lines[d.span.line - 1];
  if (line === undefined) return head;
  const width = Math.max(1, Math.min(d.span.end - d.span.start, line.length - d.span.column + 1));
  return `${head}\n  ${String(d.span.line).padStart(4)} | ${line}\n       | ${' '.repeat(d.span.column - 1)}${'^'.repeat(width)}`;
}

/** Thrown when analysis produced errors; carries all of them. */
export class FreshetError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  readonly origin: Origin;
  constructor(diagnostics: readonly Diagnostic[] | Diagnostic, origin: Origin = 'user') {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    super(list.map(formatDiagnostic).join('\n'));
    this.name = 'FreshetError';
    this.diagnostics = list;
    this.origin = origin;
  }
}

/** Collects diagnostics during a pass. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void { this.items.push(d); }
  error(code: string, message: string, span?: Span, hint?: string): void { this.items.push(diag(code, message, span, hint)); }
  get hasErrors(): boolean { return this.items.some((d) => d.severity === 'error'); }
  throwIfErrors(): void { if (this.hasErrors) throw new FreshetError(this.items.filter((d) => d.severity === 'error')); }
}

/** Levenshtein-based suggestion for "did you mean" hints. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const n = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(n, c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagPrev = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diagPrev + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagPrev = tmp;
    }
  }
  return prev[b.length]!;
}
