/**
 * Versioned job specs on disk: `<root>/<name>/v<N>.json` (one file per version, never rewritten) and
 * `<root>/<name>/desired.json` (`{"state":"running"|"stopped"}`, what the platform restores at start). Writes go
 * to a temporary file and are renamed into place, so a crash leaves either the old or the new file.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobSpec } from './job-spec.js';

export type DesiredState = 'running' | 'stopped';

const VERSION = /^v(\d+)\.json$/;

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export class JobStore {
  constructor(readonly root: string) {}

  private dir(name: string): string { return path.join(this.root, name); }

  async names(): Promise<string[]> {
    try {
      return (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch { return []; }
  }

  async versions(name: string): Promise<number[]> {
    let files: string[];
    try { files = await readdir(this.dir(name)); } catch { return []; }
    return files.map((f) => VERSION.exec(f)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  async get(name: string, version?: number): Promise<JobSpec | undefined> {
    const vs = await this.versions(name);
    const v = version ?? vs[vs.length - 1];
    if (v === undefined || !vs.includes(v)) return undefined;
    return JSON.parse(await readFile(path.join(this.dir(name), `v${v}.json`), 'utf8')) as JobSpec;
  }

  async history(name: string): Promise<JobSpec[]> {
    const out: JobSpec[] = [];
    for (const v of await this.versions(name)) out.push((await this.get(name, v))!);
    return out;
  }

  /** Saves `spec` as its version; refuses to overwrite an existing version (a concurrent edit). */
  async put(spec: JobSpec): Promise<void> {
    await mkdir(this.dir(spec.name), { recursive: true });
    const vs = await this.versions(spec.name);
    if (vs.includes(spec.version)) throw new Error(`job '${spec.name}' version ${spec.version} exists`);
    await writeAtomic(path.join(this.dir(spec.name), `v${spec.version}.json`), JSON.stringify(spec, null, 2) + '\n');
  }

  async desired(name: string): Promise<DesiredState> {
    try {
      const s = JSON.parse(await readFile(path.join(this.dir(name), 'desired.json'), 'utf8')) as { state?: DesiredState };
      return s.state === 'running' ? 'running' : 'stopped';
    } catch { return 'stopped'; }
  }

  async setDesired(name: string, state: DesiredState): Promise<void> {
    await mkdir(this.dir(name), { recursive: true });
    await writeAtomic(path.join(this.dir(name), 'desired.json'), JSON.stringify({ state }) + '\n');
  }

  async delete(name: string): Promise<void> {
    await rm(this.dir(name), { recursive: true, force: true });
  }
}
