/**
 * Offline twins as the data dictionary registers them: each source definition's `offline`, by the SQL table names
 * the source defines (its name; a multi-type source's twin also serves each `<name>.<type>` table). The CLI and the
 * platform use them by default; twins given explicitly (`--offline table=...`) override them per table.
 */
import type { OfflineTwin, SourceDefinition } from '../catalog/dictionary/source-model.js';

/** SQL table name → offline twin, for every source that has one. */
export function twinsOfSources(sources: readonly Pick<SourceDefinition, 'name' | 'offline' | 'types'>[]): Record<string, OfflineTwin> {
  const out: Record<string, OfflineTwin> = {};
  for (const s of sources) {
    if (s.offline === undefined || s.offline === null) continue;
    out[s.name] = s.offline;
    for (const t of Object.keys(s.types ?? {})) out[`${s.name}.${t}`] = s.offline;
  }
  return out;
}
