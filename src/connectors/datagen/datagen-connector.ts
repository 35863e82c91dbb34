/**
 * The `datagen` source connector with Flink's options (`rows-per-second`, `number-of-rows`,
 * `fields.<column>.kind|min|max|max-past|length|var-len|start|end|null-rate`) and two Freshet options for
 * reproducible data: `freshet.seed` and `freshet.base-time` (the Flink compiler drops `freshet.*` options).
 */
import { FreshetError, type Diagnostic } from '../../common/diagnostics.js';
import type { ConnectorFactory, TableContext } from '../connector.js';
import { checkOptionKeys, roleDiag } from '../option-validation.js';
import { parseDatagenOptions } from './datagen-options.js';
import { DatagenSource, systemClock, type DatagenClock } from './datagen-source.js';

const OPTIONS: ConnectorFactory['options'] = {
  'rows-per-second': { default: '10000', description: 'Rows generated per second (a positive integer); also paces bounded sources.' },
  'number-of-rows': { description: 'Total rows to generate; the source is unbounded when neither this nor a sequence column is set.' },
  'scan.parallelism': { description: 'Accepted for compatibility; the embedded engine reads with one reader.' },
  'freshet.seed': {
    description: 'Freshet: seed of the random values (an integer). With it (and freshet.base-time for time columns) every run generates the same rows; without it a random seed is chosen at start and kept in checkpoints.',
  },
  'freshet.base-time': {
    description: "Freshet: logical time of the first row, e.g. '2024-01-01 00:00:00' (UTC) or epoch milliseconds; row i's time is base + i / rows-per-second. Default: the time the job starts.",
  },
};

export function createDatagenConnector(clock: DatagenClock = systemClock): ConnectorFactory {
  const factory: ConnectorFactory = {
    identifier: 'datagen',
    options: OPTIONS,
    optionPrefixes: ['fields.'],
    validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
      const out = checkOptionKeys(factory, ctx);
      if (role === 'sink') out.push(roleDiag(ctx, 'datagen', role));
      out.push(...parseDatagenOptions(ctx).diagnostics);
      return out;
    },
    createSource(ctx: TableContext) {
      const { config, diagnostics } = parseDatagenOptions(ctx);
      const errors = [...checkOptionKeys(factory, ctx), ...diagnostics].filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new FreshetError(errors);
      return new DatagenSource(ctx, config, clock);
    },
  };
  return factory;
}

export const datagenConnector = createDatagenConnector();
