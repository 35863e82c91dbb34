// The diff view of the feature versions and the editor's review (line-diff.ts computes it).
import { lineDiff } from './line-diff.js';

export { canonicalJson } from './line-diff.js';

/** A diff with a few lines of context around each change; "no changes" when equal. */
export function DiffView({ before, after, testId, context = 2 }: { before: string; after: string; testId?: string; context?: number }) {
  const lines = lineDiff(before, after);
  const near = lines.map((_, k) => lines.slice(Math.max(0, k - context), k + context + 1).some((l) => l.op !== ' '));
  if (!lines.some((l) => l.op !== ' ')) return <p className="muted" data-testid={testId}>No changes.</p>;
  return (
    <pre className="diff" data-testid={testId}>
      {lines.map((l, k) => (near[k]
        ? <div key={k} className={l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>{l.op} {l.text}</div>
        : k > 0 && near[k - 1] ? <div key={k} className="muted">  …</div> : null))}
    </pre>
  );
}
