/**
 * The built-in connectors by their `connector` option value. The CLI may build its own registry with redirected
 * print output (`createRegistry({ printOutput })`).
 */
import { diag, suggest, type Diagnostic, type Span } from '../common/diagnostics.js';
import { blackholeConnector } from './blackhole/blackhole-connector.js';
import type { ConnectorFactory } from './connector.js';
import { ConnectorErrors } from './connector-error-codes.js';
import { createDatagenConnector } from './datagen/datagen-connector.js';
import type { DatagenClock } from './datagen/datagen-source.js';
import { filesystemConnector } from './filesystem/filesystem-connector.js';
import { embeddedLogConnector } from './embedded-log/embedded-log-connector.js';
import { kafkaConnector, upsertKafkaConnector } from './kafka/kafka-connector.js';
import { nexmarkConnector } from './nexmark/nexmark-connector.js';
import { aerospikeConnector } from './aerospike/aerospike-connector.js';
import { embeddedKvConnector } from './embedded-kv/embedded-kv-connector.js';
import { redisConnector } from './redis/redis-connector.js';
import { createPrintConnector, type PrintOutput } from './print/print-connector.js';

export interface ConnectorRegistry {
  get(identifier: string): ConnectorFactory | undefined;
  identifiers(): string[];
}

export interface RegistryOptions {
  printOutput?: PrintOutput;
  datagenClock?: DatagenClock;
}

export function createRegistry(opts: RegistryOptions = {}): ConnectorRegistry {
  const all: ConnectorFactory[] = [
    blackholeConnector,
    createDatagenConnector(opts.datagenClock),
    filesystemConnector,
    embeddedLogConnector,
    kafkaConnector,
    upsertKafkaConnector,
    nexmarkConnector,
    createPrintConnector(opts.printOutput),
    redisConnector,
    embeddedKvConnector,
    aerospikeConnector,
  ];
  const map = new Map(all.map((f) => [f.identifier, f]));
  return {
    get: (id) => map.get(id),
    identifiers: () => [...map.keys()].sort(),
  };
}

const defaultRegistry = createRegistry();

/** The built-in factory for a `connector` value, or undefined. */
export function getConnector(identifier: string): ConnectorFactory | undefined {
  return defaultRegistry.get(identifier);
}

/** Identifiers of the built-in connectors, sorted. */
export function connectorIdentifiers(): string[] {
  return defaultRegistry.identifiers();
}

/** The diagnostic for an unknown `connector` value, with a "did you mean" hint. */
export function unknownConnector(tableName: string, identifier: string, span?: Span, registry: ConnectorRegistry = defaultRegistry): Diagnostic {
  const near = suggest(identifier, registry.identifiers());
  return diag(ConnectorErrors.UnknownConnector, `table '${tableName}': unknown connector '${identifier}'`, span,
    near ? `did you mean '${near}'?` : `available connectors: ${registry.identifiers().join(', ')}`);
}
