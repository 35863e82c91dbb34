/**
 * The `nexmark` source connector: the Nexmark benchmark's stream of persons, auctions and bids in one table
 * (`event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>`), with the Flink Nexmark source's option names
 * (see nexmark-options.ts) plus `freshet.seed`, `freshet.base-time` and `freshet.max-out-of-orderness`.
 */
import { FreshetError, type Diagnostic } from '../../common/diagnostics.js';
import type { ConnectorFactory, TableContext } from '../connector.js';
import { systemClock, type DatagenClock } from '../datagen/datagen-source.js';
import { checkOptionKeys, roleDiag } from '../option-validation.js';
import { NEXMARK_OPTIONS, parseNexmarkOptions } from './nexmark-options.js';
import { NexmarkSource } from './nexmark-source.js';

export function createNexmarkConnector(clock: DatagenClock = systemClock): ConnectorFactory {
  const factory: ConnectorFactory = {
    identifier: 'nexmark',
    options: NEXMARK_OPTIONS,
    validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
      const out = checkOptionKeys(factory, ctx);
      if (role === 'sink') out.push(roleDiag(ctx, 'nexmark', role));
      out.push(...parseNexmarkOptions(ctx).diagnostics);
      return out;
    },
    createSource(ctx: TableContext) {
      const { config, diagnostics } = parseNexmarkOptions(ctx);
      const errors = [...checkOptionKeys(factory, ctx), ...diagnostics].filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new FreshetError(errors);
      return new NexmarkSource(ctx, config, clock);
    },
  };
  return factory;
}

export const nexmarkConnector = createNexmarkConnector();
