// The feature SQL editor: CodeMirror 6 with SQL highlighting, completion of dictionary tables and columns, and
// errors underlined where they are. Parse errors come from Freshet's own parser (src/sql, bundled here) as you
// type; binding errors (unknown columns, types, grouping) from POST /api/sql/validate, which runs the same
// compiler as the jobs. Both are CodeMirror lint diagnostics placed at the diagnostic's span.
import { useEffect, useRef } from 'react';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { autocompletion, closeBrackets } from '@codemirror/autocomplete';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { parseScript } from '../../src/sql/index.js';
import { client, ok, type CatalogTable, type DiagnosticJson } from './api.js';

const FLINK_KEYWORDS = 'tumble hop cumulate session descriptor window_start window_end window_time watermark interval lateral unnest over partition rows range preceding following current row_number';

export interface SqlCheck { diagnostics: DiagnosticJson[]; columns: { name: string; type: string }[]; ok: boolean; source: 'parser' | 'server' }

function toCm(ds: DiagnosticJson[], len: number): CmDiagnostic[] {
  return ds.filter((d) => d.span).map((d) => {
    const from = Math.min(Math.max(0, d.span!.start), len);
    const to = Math.min(Math.max(from, d.span!.end), len);
    return { from, to: to === from && to < len ? to + 1 : to, severity: d.severity === 'warning' ? 'warning' : 'error', message: `${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`, source: 'freshet' };
  });
}

/** Parse diagnostics of `text` by Freshet's parser, in the browser. */
export function parseDiagnostics(text: string): DiagnosticJson[] {
  return parseScript(text).diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, ...(d.hint ? { hint: d.hint } : {}), ...(d.span ? { span: { ...d.span } } : {}) }));
}

export function SqlEditor({ value, onChange, tables, onCheck }: { value: string; onChange: (v: string) => void; tables: CatalogTable[]; onCheck: (c: SqlCheck) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const cb = useRef({ onChange, onCheck });
  cb.current = { onChange, onCheck };
  useEffect(() => {
    const schema: Record<string, string[]> = {};
    for (const t of tables) schema[t.table] = t.columns.map((c) => c.name);
    const lint = linter(async (v) => {
      const text = v.state.doc.toString();
      const parsed = parseDiagnostics(text);
      if (parsed.some((d) => d.severity === 'error') || text.trim() === '') {
        cb.current.onCheck({ diagnostics: parsed, columns: [], ok: false, source: 'parser' });
        return toCm(parsed, text.length);
      }
      try {
        const r = await ok(client.POST('/api/sql/validate', { body: { sql: text } }));
        if (v.state.doc.toString() !== text) return [];
        cb.current.onCheck({ ...r, source: 'server' });
        return toCm(r.diagnostics, text.length);
      } catch {
        return toCm(parsed, text.length);
      }
    }, { delay: 350 });
    const state = EditorState.create({
      doc: value,
      extensions: [
        lineNumbers(), history(), bracketMatching(), closeBrackets(), highlightActiveLine(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        sql({ dialect: StandardSQL, schema, upperCaseKeywords: true }),
        syntaxHighlighting(defaultHighlightStyle),
        autocompletion({ activateOnTyping: true }),
        lint, lintGutter(),
        EditorView.updateListener.of((u) => { if (u.docChanged) cb.current.onChange(u.state.doc.toString()); }),
        EditorView.contentAttributes.of({ 'aria-label': 'SQL editor', 'data-flink-keywords': FLINK_KEYWORDS }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current! });
    return () => { view.current?.destroy(); view.current = null; };
  }, [tables]);
  return <div className="editor" ref={host} data-testid="sql-editor" />;
}
