/**
 * `freshet source add|list|show|infer|sample|delete|serve` and `freshet produce`: the data dictionary from the
 * command line. The store comes from the environment (FRESHET_CATALOG_URL for PostgreSQL, else the embedded store
 * in $FRESHET_DATA_DIR or .freshet); `produce` appends to the embedded log directly, or through a running server
 * with --server (the log has one writer process at a time).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FreshetError, formatDiagnostic, type Diagnostic } from '../common/diagnostics.js';
import { Dictionary } from '../catalog/dictionary/dictionary.js';
import { dataDir, logDirOf } from '../catalog/dictionary/data-dir.js';
import { inferSchema, type InferOptions } from '../catalog/dictionary/infer-schema.js';
import { openDictionaryStore } from '../catalog/dictionary/open-store.js';
import { sourceTablesDdl } from '../catalog/dictionary/source-ddl.js';
import { tableNamesOf, topicOf } from '../catalog/dictionary/source-model.js';
import { COLUMN_NAME } from '../catalog/dictionary/source-validation.js';
import { EmbeddedLog } from '../connectors/embedded-log/embedded-log.js';
import { tailTopic } from '../connectors/embedded-log/log-tail.js';
import { parseDuration } from '../runtime/duration.js';
import { ingestEvents, splitMessages } from '../server/ingest.js';
import { startDictionaryServer } from '../server/dictionary-server.js';
import { sampleKafkaTopic } from '../connectors/kafka/sample-topic.js';

function readInput(file: string | undefined): string {
  try {
    return readFileSync(file === undefined || file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file ?? 'standard input'}: ${(e as Error).message}`);
  }
}

class CliError extends Error {}

function printDiagnostics(ds: readonly Diagnostic[]): void {
  for (const d of ds) process.stderr.write(formatDiagnostic(d) + '\n');
}

/** Runs a command body with the dictionary; user errors print as diagnostics with exit status 1. */
async function withDictionary(fn: (d: Dictionary) => Promise<void>): Promise<void> {
  let store;
  try {
    store = openDictionaryStore();
    await fn(new Dictionary(store));
  } catch (e) {
    fail(e);
  } finally {
    await store?.close();
  }
}

function fail(e: unknown): void {
  if (e instanceof FreshetError) printDiagnostics(e.diagnostics);
  else if (e instanceof CliError) process.stderr.write(`error: ${e.message}\n`);
  else throw e;
  process.exitCode = 1;
}

function inferOptions(o: { discriminator?: string; decimals?: string; notNull?: boolean; watermarkDelay?: string; procTime?: string | boolean }): InferOptions {
  const out: InferOptions = {};
  const pt = procTimeOption(o.procTime);
  if (pt !== undefined) out.procTimeColumn = pt;
  if (o.discriminator) out.discriminator = o.discriminator;
  if (o.decimals) {
    if (!['double', 'exact', 'auto'].includes(o.decimals)) throw new CliError(`--decimals must be double, exact or auto, got '${o.decimals}'`);
    out.decimals = o.decimals as InferOptions['decimals'] & string;
  }
  if (o.notNull) out.notNullWhenObserved = true;
  if (o.watermarkDelay !== undefined) out.watermarkDelayMs = durationMs(o.watermarkDelay);
  return out;
}

/**
 * `--proc-time <name>` → the name, `--no-proc-time` → false (no processing-time column), neither → undefined
 * (inference proposes proc_time). `--proc-time` is declared before `--no-proc-time`, so commander's default stays
 * undefined rather than true.
 */
function procTimeOption(v: string | boolean | undefined): string | false | undefined {
  if (v === undefined || v === true) return undefined;
  if (v === false) return false;
  if (!COLUMN_NAME.test(v)) throw new CliError(`--proc-time must be a column name (a letter or _, then letters, digits and _), got '${v}'`);
  return v;
}

/** `--proc-time` / `--no-proc-time` applied to an explicit schema (a --definition file): sets or removes the column. */
function withProcTime(s: unknown, pt: string | false): unknown {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return s;
  const { procTimeColumn: _old, ...rest } = s as Record<string, unknown>;
  return pt === false ? rest : { ...rest, procTimeColumn: pt };
}

function durationMs(v: string): number {
  const ms = /^\d+$/.test(v.trim()) ? Number(v) : parseDuration(v);
  if (ms === undefined || !(ms >= 0)) throw new CliError(`not a duration: '${v}' (e.g. 5000, '5 s', '1 min')`);
  return ms;
}

function samplesOf(text: string): string[] {
  return splitMessages(text).map((m) => (typeof m.value === 'string' ? m.value : JSON.stringify(m.value)));
}

/**
 * `source add --sample-topic`: samples the live Kafka topic and puts the inferred schema (or types and
 * discriminator) and the newest samples into the create body; returns the inference warnings. Inference runs here
 * rather than in the dictionary because a `header:<name>` discriminator needs the messages' headers.
 */
async function inferFromTopic(name: string, body: Record<string, unknown>, conn: Record<string, unknown>, o: AddOpts): Promise<Diagnostic[]> {
  if (body['kind'] !== 'kafka') throw new CliError('--sample-topic needs --kind kafka');
  if (o.samples) throw new CliError('give either --samples or --sample-topic');
  const servers = conn['bootstrapServers'];
  if (typeof servers !== 'string' || servers === '') throw new CliError('--sample-topic needs --bootstrap-servers');
  const topic = typeof conn['topic'] === 'string' ? conn['topic'] : name;
  const props = { ...(conn['properties'] as Record<string, string> | undefined), ...(conn['secrets'] as Record<string, string> | undefined) };
  const msgs = (await sampleKafkaTopic({ bootstrapServers: servers, topic, count: 100, properties: props })).filter((m) => m.value.trim() !== '');
  if (msgs.length === 0) throw new CliError(`topic '${topic}' has no messages to sample`);
  process.stderr.write(`sampled ${msgs.length} message(s) from ${topic}\n`);
  const r = inferSchema(msgs.map((m) => m.value), { ...inferOptions(o), name, headers: msgs.map((m) => m.headers) });
  const errors = r.warnings.filter((w) => w.severity === 'error');
  if (errors.length > 0) throw new FreshetError(errors);
  if (r.types) { body['types'] = r.types; body['discriminator'] = r.discriminator; } else body['schema'] = r.schema;
  body['samples'] = msgs.slice(-50).map((m) => m.value);
  return r.warnings;
}

interface AddOpts {
  kind?: string; samples?: string; definition?: string; topic?: string; partitions?: string; bootstrapServers?: string;
  discriminator?: string; eventTime?: string; watermarkDelay?: string; owner?: string; description?: string; tag?: string[];
  decimals?: string; notNull?: boolean; sampleTopic?: boolean; procTime?: string | boolean;
}

export function registerSourceCommands(program: Command): void {
  const source = program.command('source').description('the data dictionary: register, document and inspect message sources');

  source.command('add <name>')
    .description('register a source; its schema is inferred from --samples (JSON lines or a JSON array)')
    .option('--kind <kind>', 'embedded-log (default) or kafka')
    .option('--samples <file>', 'sample messages to infer the schema from (- for stdin)')
    .option('--sample-topic', 'kafka: infer the schema from the newest 100 messages of the live topic (with their headers)')
    .option('--definition <file>', 'a full source definition as JSON (the REST API body)')
    .option('--topic <topic>', 'topic name (default: the source name)')
    .option('--partitions <n>', 'embedded log: partitions of a new topic')
    .option('--bootstrap-servers <list>', 'kafka: host:port[,host:port]')
    .option('--discriminator <path>', "multi-type topic: '$.type' or 'header:<name>'")
    .option('--event-time <column>', 'event-time column (default: the inferred suggestion)')
    .option('--watermark-delay <duration>', "watermark delay, e.g. '5 s' or 5000 (ms)")
    .option('--proc-time <name>', 'processing-time column <name> AS PROCTIME() (default: proc_time, for lookup joins)')
    .option('--no-proc-time', 'no processing-time column')
    .option('--decimals <mode>', 'numbers with a fraction: double (default), exact or auto')
    .option('--not-null', 'make fields seen non-null in every sample NOT NULL')
    .option('--owner <owner>')
    .option('--description <text>')
    .option('--tag <tag...>', 'tags')
    .action(async (name: string, o: AddOpts) => {
      await withDictionary(async (d) => {
        const body: Record<string, unknown> = o.definition ? JSON.parse(readInput(o.definition)) as Record<string, unknown> : {};
        body['name'] = name;
        if (o.kind) body['kind'] = o.kind;
        const conn: Record<string, unknown> = { ...(body['connection'] as Record<string, unknown> | undefined) };
        if (o.topic) conn['topic'] = o.topic;
        if (o.partitions) conn['partitions'] = Number(o.partitions);
        if (o.bootstrapServers) conn['bootstrapServers'] = o.bootstrapServers;
        body['connection'] = conn;
        if (o.discriminator) body['discriminator'] = { path: o.discriminator };
        if (o.owner) body['owner'] = o.owner;
        if (o.description) body['description'] = o.description;
        if (o.tag) body['tags'] = o.tag;
        if (o.samples) body['samples'] = samplesOf(readInput(o.samples));
        body['infer'] = inferOptions(o);
        // An explicit schema (--definition) takes the flag directly; an inferred one through the infer options.
        const pt = procTimeOption(o.procTime);
        if (pt !== undefined) {
          if (body['schema'] !== undefined) body['schema'] = withProcTime(body['schema'], pt);
          const types = body['types'];
          if (types !== null && typeof types === 'object' && !Array.isArray(types)) {
            body['types'] = Object.fromEntries(Object.entries(types).map(([k, t]) => [k, withProcTime(t, pt)]));
          }
        }
        if (o.sampleTopic) printDiagnostics(await inferFromTopic(name, body, conn, o));
        const r = await d.create(body);
        printDiagnostics(r.warnings);
        let src = r.source;
        if (o.eventTime !== undefined || (o.watermarkDelay !== undefined && !o.samples && !o.sampleTopic)) {
          const edit = (s: NonNullable<typeof src.schema>) => ({
            ...s, ...(o.eventTime !== undefined ? { eventTimeColumn: o.eventTime } : {}),
            ...(o.watermarkDelay !== undefined ? { watermarkDelayMs: durationMs(o.watermarkDelay) } : {}),
          });
          const patch = src.types
            ? { types: Object.fromEntries(Object.entries(src.types).map(([k, s]) => [k, edit(s)])) }
            : { schema: edit(src.schema!) };
          src = (await d.update(name, patch)).source;
        }
        process.stdout.write(`source '${name}' saved (version ${src.version}); SQL tables: ${tableNamesOf(src).join(', ')}\n`);
      });
    });

  source.command('list')
    .description('list registered sources')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      await withDictionary(async (d) => {
        const all = await d.list();
        if (o.json) { process.stdout.write(JSON.stringify(all, null, 2) + '\n'); return; }
        for (const s of all) {
          process.stdout.write(`${s.name}\t${s.kind}\tv${s.version}\t${tableNamesOf(s).join(',')}\t${s.owner ?? ''}\t${s.description ?? ''}\n`);
        }
      });
    });

  source.command('show <name>')
    .description('show a source: definition (secrets masked), SQL tables and their DDL')
    .option('--json', 'the definition as JSON')
    .option('--ddl', 'only the CREATE TABLE statements')
    .action(async (name: string, o: { json?: boolean; ddl?: boolean }) => {
      await withDictionary(async (d) => {
        const s = await d.getForRuntime(name);
        if (!s) throw new CliError(`unknown source '${name}'`);
        const ddl = sourceTablesDdl(s, { logDir: logDirOf(dataDir()), redactSecrets: true }).map((t) => t.ddl + ';').join('\n\n');
        if (o.ddl) { process.stdout.write(ddl + '\n'); return; }
        if (o.json) { process.stdout.write(JSON.stringify(await d.get(name), null, 2) + '\n'); return; }
        const st = await d.stats(name);
        process.stdout.write(`${s.name} (${s.kind}, version ${s.version}, topic ${topicOf(s)})\n`);
        if (s.owner) process.stdout.write(`owner: ${s.owner}\n`);
        if (s.description) process.stdout.write(`${s.description}\n`);
        if (s.tags.length) process.stdout.write(`tags: ${s.tags.join(', ')}\n`);
        process.stdout.write(`messages: ${st.messages}  rate: ${st.messageRate}/s  parse errors: ${st.parseErrors}  dead letters: ${st.deadLetters}\n`);
        const lin = await d.lineage(name);
        if (lin.length) process.stdout.write(`read by: ${lin.join(', ')}\n`);
        process.stdout.write(`\n${ddl}\n`);
      });
    });

  source.command('infer')
    .description('infer a schema from sample messages (JSON lines or a JSON array) and print the CREATE TABLE it implies')
    .option('-f, --file <file>', 'samples file (default: stdin)')
    .option('--name <name>', 'table name in the DDL', 'inferred')
    .option('--discriminator <path>', "multi-type topic: '$.type', or 'header:<name>' with --kafka-topic")
    .option('--decimals <mode>', 'double (default), exact or auto')
    .option('--not-null', 'make fields seen non-null in every sample NOT NULL')
    .option('--proc-time <name>', 'processing-time column <name> AS PROCTIME() (default: proc_time)')
    .option('--no-proc-time', 'no processing-time column')
    .option('--json', 'print the schema, warnings and DDL as JSON')
    .option('--kafka-topic <topic>', 'sample the newest messages of a live Kafka topic instead of a file')
    .option('--bootstrap-servers <list>', 'with --kafka-topic: host:port[,host:port]')
    .option('-n, --count <n>', 'with --kafka-topic: messages to sample', '100')
    .action(async (o: { file?: string; name: string; discriminator?: string; decimals?: string; notNull?: boolean; json?: boolean;
      kafkaTopic?: string; bootstrapServers?: string; count: string; procTime?: string | boolean }) => {
      try {
        let samples: string[];
        let headers: InferOptions['headers'];
        if (o.kafkaTopic) {
          if (!o.bootstrapServers) throw new CliError('--kafka-topic needs --bootstrap-servers');
          // Each message is one sample (values may span lines); its headers feed a header:<name> discriminator.
          const msgs = (await sampleKafkaTopic({ bootstrapServers: o.bootstrapServers, topic: o.kafkaTopic, count: Number(o.count) || 100 }))
            .filter((m) => m.value.trim() !== '');
          if (msgs.length === 0) throw new CliError(`topic '${o.kafkaTopic}' has no messages to sample`);
          process.stderr.write(`sampled ${msgs.length} message(s) from ${o.kafkaTopic}\n`);
          samples = msgs.map((m) => m.value);
          headers = msgs.map((m) => m.headers);
        } else samples = samplesOf(readInput(o.file));
        const r = inferSchema(samples, { ...inferOptions(o), name: o.name, ...(headers ? { headers } : {}) });
        if (o.json) { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); return; }
        printDiagnostics(r.warnings);
        if (r.warnings.some((w) => w.severity === 'error')) { process.exitCode = 1; return; }
        process.stdout.write(r.ddl + ';\n');
      } catch (e) {
        fail(e);
      }
    });

  source.command('sample <name>')
    .description('print the newest messages of a source from the embedded log (JSON lines)')
    .option('-n, --limit <n>', 'how many', '10')
    .action(async (name: string, o: { limit: string }) => {
      await withDictionary(async (d) => {
        const s = await d.get(name);
        if (!s) throw new CliError(`unknown source '${name}'`);
        const n = Number(o.limit);
        if (!Number.isInteger(n) || n < 1) throw new CliError(`--limit must be a positive integer, got '${o.limit}'`);
        if (s.kind === 'kafka') {
          // Live sample from the topic (secrets from the dictionary's runtime view, never printed).
          const rt = (await d.getForRuntime(name))!;
          const c = rt.connection ?? {};
          const msgs = await sampleKafkaTopic({
            bootstrapServers: c.bootstrapServers ?? '', topic: topicOf(rt), count: n,
            properties: { ...(c.properties ?? {}), ...(c.secrets ?? {}) },
          });
          for (const m of msgs) process.stdout.write(m.value + '\n');
          return;
        }
        if (s.kind !== 'embedded-log') { for (const x of s.samples.slice(0, n)) process.stdout.write(x + '\n'); return; }
        for (const r of await tailTopic(logDirOf(dataDir()), topicOf(s), n)) process.stdout.write(r.value + '\n');
      });
    });

  source.command('delete <name>')
    .description('remove a source from the dictionary (its log data stays)')
    .action(async (name: string) => {
      await withDictionary(async (d) => {
        if (!(await d.delete(name))) throw new CliError(`unknown source '${name}'`);
        process.stdout.write(`source '${name}' deleted\n`);
      });
    });

  source.command('serve')
    .description('serve the dictionary REST API (/api/sources)')
    .option('--port <port>', 'port', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (o: { port: string; host: string }) => {
      const { app, address } = await startDictionaryServer({ port: Number(o.port), host: o.host });
      process.stderr.write(`freshet: dictionary API on ${address}/api/sources\n`);
      const stop = (): void => { void app.close(); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program.command('produce <source>')
    .description('append JSON-lines events (from a file or stdin) to an embedded-log source')
    .option('-f, --file <file>', 'events file (default: stdin)')
    .option('--key <field>', 'take each event\'s partition key from this field')
    .option('--server <url>', 'send through a running Freshet server, e.g. http://127.0.0.1:8080')
    .action(async (name: string, o: { file?: string; key?: string; server?: string }) => {
      try {
        const text = readInput(o.file);
        if (o.server) {
          const url = `${o.server.replace(/\/+$/, '')}/api/sources/${encodeURIComponent(name)}/events${o.key ? `?key=${encodeURIComponent(o.key)}` : ''}`;
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: text });
          const body = await res.text();
          if (!res.ok) throw new CliError(`server answered ${res.status}: ${body}`);
          process.stdout.write(body + '\n');
          return;
        }
        await withDictionary(async (d) => {
          const s = await d.getForRuntime(name);
          if (!s) throw new CliError(`unknown source '${name}'`);
          const log = await EmbeddedLog.open(logDirOf(dataDir()));
          try {
            const r = await ingestEvents(d, log, s, splitMessages(text), o.key ? { keyField: o.key } : {});
            for (const x of r.rejected) process.stderr.write(`rejected: ${x.reason}\n`);
            for (const [t, n] of Object.entries(r.unknownTypes)) process.stderr.write(`warning: ${n} event(s) of unregistered type '${t}'\n`);
            for (const [f, n] of Object.entries(r.unknownFields)) process.stderr.write(`warning: ${n} event(s) with field ${f} not in the schema\n`);
            process.stdout.write(`appended ${r.appended} event(s) to '${name}'\n`);
            if (r.appended === 0 && r.rejected.length > 0) process.exitCode = 1;
          } finally {
            await log.close();
          }
        });
      } catch (e) {
        fail(e);
      }
    });
}
