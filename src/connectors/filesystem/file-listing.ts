/**
 * Which files a filesystem table reads: the file itself when `path` names a file, else every file under the
 * directory, recursively, skipping names that start with `.` or `_` (Flink's default file filter: hidden files,
 * in-progress part files, `_SUCCESS` markers), in byte order of their relative paths so that every run (and every
 * restore) sees the same sequence.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface DataFile {
  /** Absolute path. */
  absolute: string;
  /** Path relative to the table's path ('' when the table's path is the file itself); identifies the file in positions. */
  relative: string;
}

export const isHiddenName = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

/** Lists the table's files; throws the Node error (ENOENT...) when the path cannot be read. */
export async function listDataFiles(root: string): Promise<DataFile[]> {
  const st = await stat(root);
  if (!st.isDirectory()) return [{ absolute: root, relative: '' }];
  const out: DataFile[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (isHiddenName(e.name)) continue;
      const abs = path.join(dir, e.name);
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(abs, r);
      else if (e.isFile() || (e.isSymbolicLink() && (await stat(abs)).isFile())) out.push({ absolute: abs, relative: r });
    }
  };
  await walk(root, '');
  out.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  return out;
}
