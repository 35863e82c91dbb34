/**
 * Durable checkpoints in a directory: `chk-<n>.bin` files holding a structured-clone snapshot of source positions and
 * operator state. A checkpoint becomes visible atomically (written to a temp file, fsynced, renamed); a crash during
 * writing leaves the previous checkpoint intact. The newest `retain` checkpoints are kept.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { serialize, deserialize } from 'node:v8';
import { stat } from 'node:fs/promises';

export interface CheckpointData {
  version: 1;
  id: number;
  /** Fingerprint of the program; restoring into a different program is refused. */
  programHash: string;
  takenAt: number;
  sources: { id: string; position: unknown; finished: boolean }[];
  nextSource: number;
  operators: Record<string, { base: unknown; state: unknown }>;
  metrics: Record<string, number>;
}

const NAME = /^chk-(\d+)\.bin$/;

export class CheckpointStore {
  constructor(readonly dir: string, readonly retain = 3) {}

  /** Serializes synchronously (so live state is captured at this instant), then writes durably. */
  prepare(data: CheckpointData): Buffer {
    return serialize(data);
  }

  async write(id: number, bytes: Buffer): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const final = join(this.dir, `chk-${id}.bin`);
    const tmp = `${final}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
    await this.prune();
    return final;
  }

  async list(): Promise<number[]> {
    let names: string[];
    try { names = await readdir(this.dir); } catch { return []; }
    return names.map((n) => NAME.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  private async prune(): Promise<void> {
    const ids = await this.list();
    for (const id of ids.slice(0, Math.max(0, ids.length - this.retain))) await rm(join(this.dir, `chk-${id}.bin`), { force: true });
  }

  /** Loads a checkpoint file, or the newest checkpoint of a directory. */
  static async load(path: string): Promise<CheckpointData | undefined> {
    let file = path;
    const st = await stat(path).catch(() => undefined);
    if (!st) return undefined;
    if (st.isDirectory()) {
      const ids = await new CheckpointStore(path).list();
      if (ids.length === 0) return undefined;
      file = join(path, `chk-${ids[ids.length - 1]}.bin`);
    }
    return deserialize(await readFile(file)) as CheckpointData;
  }
}
