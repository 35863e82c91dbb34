// The embedded-kv SQL connector end to end (sink, restore, lookup join), in a temporary store directory.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { storeScenarios } from './kv-connector-scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'freshet-kvstore-'));
after(() => rmSync(dir, { recursive: true, force: true }));

storeScenarios('embedded-kv', {
  withClause: (table) => `'connector' = 'embedded-kv', 'path' = '${dir}', 'table' = '${table}'`,
  openStore: async () => { const s = new EmbeddedKvStore({ path: dir }); await s.open(); return s; },
}, false);
