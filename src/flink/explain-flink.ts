/**
 * `freshet explain --engine flink`: what the Flink engine would run for a script: the job spec's options, the
 * template capabilities it needs, and each Flink SQL statement as the template job receives it. Secret option values
 * are shown as their placeholders (they travel beside the SQL in the spec's `secrets`, never in it).
 */
import type { Diagnostic } from '../common/diagnostics.js';
import { buildJobSpecFromScript, type BuildJobSpecOptions } from './build-job-spec.js';

export interface FlinkExplain {
  /** The printed explanation; empty when there are errors. */
  text: string;
  diagnostics: Diagnostic[];
}

/** Builds the script's job spec and prints it for people. */
export function explainFlinkScript(script: string, opts: BuildJobSpecOptions): FlinkExplain {
  const r = buildJobSpecFromScript(script, opts);
  if (!r.spec) return { text: '', diagnostics: r.diagnostics };
  const s = r.spec;
  const lines: string[] = [`== Flink job spec (format ${s.version}) ==`, `name: ${s.name}`];
  lines.push(`requires: ${['sql', ...(s.requires ?? [])].join(', ')}`);
  const cfg = Object.entries(s.config);
  lines.push(cfg.length === 0 ? 'config: (none)' : 'config:');
  for (const [k, v] of cfg) lines.push(`  ${k} = ${v}`);
  const secrets = Object.keys(s.secrets ?? {});
  if (secrets.length > 0) lines.push(`secrets: ${secrets.join(', ')} (values passed beside the SQL, not shown)`);
  s.statements.forEach((st, i) => {
    const line = r.spans?.[i]?.line;
    lines.push('', `== Statement ${i} (${st.kind}${line !== undefined ? `, script line ${line}` : ''}) ==`, st.sql.trim());
  });
  return { text: lines.join('\n') + '\n', diagnostics: r.diagnostics };
}
