// The KvStore contract on the embedded LMDB store, each test in a temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { kvStoreContract } from './contract.js';

kvStoreContract('embedded store', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'freshet-kv-'));
  const make = async (): Promise<EmbeddedKvStore> => { const s = new EmbeddedKvStore({ path: dir }); await s.open(); return s; };
  return { open: make, reopen: make, cleanup: () => rm(dir, { recursive: true, force: true }) };
}, { persistent: true });

// The same contract with the reader's tile cache on, at a size that makes it start over often.
kvStoreContract('embedded store with a tile read cache', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'freshet-kv-'));
  const make = async (): Promise<EmbeddedKvStore> => { const s = new EmbeddedKvStore({ path: dir, tileReadCache: 3 }); await s.open(); return s; };
  return { open: make, reopen: make, cleanup: () => rm(dir, { recursive: true, force: true }) };
}, { persistent: true });
