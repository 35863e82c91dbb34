/**
 * Where the Flink template jar is and how it is named on the cluster. The jar is built from flink/ with Maven
 * (`mvn -q -B -f flink/pom.xml package -DskipTests`); its upload name carries a hash of its bytes, so a rebuilt jar is
 * uploaded again while an unchanged one is reused.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FreshetError, diag } from '../common/diagnostics.js';
import { FlinkErrors } from './flink-error-codes.js';

/** The template's main class (also the jar manifest's Main-Class). */
export const TEMPLATE_ENTRY_CLASS = 'dev.freshet.flink.FreshetJob';
const JAR_NAME = 'freshet-flink-template.jar';

/**
 * The jar path: FRESHET_FLINK_TEMPLATE_JAR, else flink/target/freshet-flink-template.jar of the checkout this module
 * belongs to (found by walking up from this file to the folder holding flink/pom.xml; works from src/ and dist/).
 */
export function defaultTemplateJarPath(): string {
  const env = process.env['FRESHET_FLINK_TEMPLATE_JAR'];
  if (env) return env;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'flink', 'pom.xml'))) return join(dir, 'flink', 'target', JAR_NAME);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(process.cwd(), 'flink', 'target', JAR_NAME);
}

export interface TemplateJar {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** The name it is uploaded under: freshet-flink-template-<first 12 hex digits of its SHA-256>.jar. */
  readonly uploadName: string;
}

/** Reads the jar; a missing jar is a FLINK751 error whose hint says how to build it. */
export function loadTemplateJar(path = defaultTemplateJarPath()): TemplateJar {
  if (!existsSync(path)) {
    throw new FreshetError(diag(FlinkErrors.TemplateJarMissing, `the Flink template jar is not built (${path})`, undefined,
      'build it with: mvn -q -B -f flink/pom.xml package -DskipTests (or set FRESHET_FLINK_TEMPLATE_JAR)'));
  }
  const bytes = readFileSync(path);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return { path, bytes, uploadName: `freshet-flink-template-${hash}.jar` };
}
