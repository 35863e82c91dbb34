/**
 * The Freshet job spec: what the Flink template job (flink/, dev.freshet.flink.JobSpec) runs. JSON, documented in
 * docs/job-spec.md. The two sides change together: JOB_SPEC_VERSION equals the Java reader's FORMAT_VERSION, and a
 * feature the template must implement beyond plain Flink SQL is named in `requires` so an older jar refuses the spec
 * instead of running it without the feature.
 */

/** The format version this module writes (dev.freshet.flink.JobSpec.FORMAT_VERSION reads the same). */
export const JOB_SPEC_VERSION = 1;

/**
 * Capabilities of the template jar a spec can ask for: plain Flink SQL, Freshet's `redis` and `aerospike`
 * feature-table connectors, secrets passed beside the SQL text (`secrets`), the `freshet-json` format of
 * multi-type topics (`multi-type`), the tile writer of sliding-window feature tables (`tiles`, docs/flink.md), and the
 * changed-keys topic of the store connectors (`changed-keys`).
 */
export type JobCapability = 'sql' | 'redis' | 'aerospike' | 'secrets' | 'multi-type' | 'tiles' | 'changed-keys';

/**
 * How a secret option value appears in the spec's SQL text: the quoted placeholder `'{{freshet-secret:<name>}}'`,
 * which the template replaces with the quoted value of `secrets[<name>]` just before it runs the statement. The SQL
 * text (shown by `freshet explain --engine flink`, logged by Flink) thus never holds the secret.
 */
export const secretPlaceholder = (name: string): string => `{{freshet-secret:${name}}}`;

/** One Flink SQL statement: DDL runs at once on the TableEnvironment; all INSERTs run together as one statement set. */
export interface JobStatement {
  readonly kind: 'ddl' | 'insert';
  readonly sql: string;
}

export interface JobSpec {
  readonly version: typeof JOB_SPEC_VERSION;
  /** The Flink job's name (`pipeline.name`). */
  readonly name: string;
  /** Flink options set on the job (checkpoint interval, state TTL, time zone, ...); values are strings as in SET. */
  readonly config: Readonly<Record<string, string>>;
  /** Statements in script order; at least one insert. */
  readonly statements: readonly JobStatement[];
  /** Template capabilities the job needs beyond `sql` (left out when empty). */
  readonly requires?: readonly JobCapability[];
  /** Secret option values by placeholder name (see secretPlaceholder); left out when there are none. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Free-form provenance (Freshet version, script file); the template ignores it. */
  readonly meta?: Readonly<Record<string, string>>;
}

/** The spec as the template's program arguments: `--spec-base64 <base64 of the JSON>` (no shared file system). */
export function jobSpecProgramArgs(spec: JobSpec): string[] {
  return ['--spec-base64', Buffer.from(JSON.stringify(spec), 'utf8').toString('base64')];
}

/** The spec with every secret value replaced by `******` (for display and logs). */
export function redactJobSpec(spec: JobSpec): JobSpec {
  if (!spec.secrets) return spec;
  return { ...spec, secrets: Object.fromEntries(Object.keys(spec.secrets).map((k) => [k, '******'])) };
}

/** Reads a spec back from the program arguments jobSpecProgramArgs made (for tests and `freshet flink jobs`). */
export function jobSpecFromProgramArgs(args: readonly string[]): JobSpec | undefined {
  const i = args.indexOf('--spec-base64');
  if (i < 0 || i + 1 >= args.length) return undefined;
  return JSON.parse(Buffer.from(args[i + 1]!, 'base64').toString('utf8')) as JobSpec;
}
