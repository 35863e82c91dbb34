/**
 * Where Freshet keeps local state: `$FRESHET_DATA_DIR`, else `.freshet` under the current directory. The embedded
 * log lives in `<data>/log`, the embedded dictionary in `<data>/dictionary`.
 */
import path from 'node:path';

export function dataDir(env: Record<string, string | undefined> = process.env): string {
  const d = env['FRESHET_DATA_DIR'];
  return path.resolve(d !== undefined && d !== '' ? d : '.freshet');
}

export const logDirOf = (data: string): string => path.join(data, 'log');
export const dictionaryDirOf = (data: string): string => path.join(data, 'dictionary');
