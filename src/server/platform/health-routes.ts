/**
 * Liveness and readiness of a platform instance, for orchestrators and load balancers:
 * - `GET /livez`: the process answers (200 `{ok: true}`); never touches dependencies, so a slow catalog cannot get
 *   the instance killed.
 * - `GET /readyz`: 200 when every readiness check passes (catalog reachable, online stores reachable, jobs restored
 *   after start-up), 503 otherwise and while shutting down, with each check's result so an operator sees why.
 * Checks run concurrently, each bounded by `timeoutMs` (a hung dependency is a failure, not a hung probe).
 */
import type { FastifyInstance } from 'fastify';

export type ReadinessCheck = () => Promise<void> | void;

export interface HealthOptions {
  /** Named readiness checks; each throws (or rejects) when not ready. */
  checks: Record<string, ReadinessCheck>;
  /** Per-check time limit (ms, default 2000). */
  timeoutMs?: number;
}

export interface CheckResult { name: string; ok: boolean; ms: number; error?: string }

/** Runs the checks; `draining` (shutdown started) makes the instance not ready whatever they say. */
export async function runReadiness(o: HealthOptions, draining: boolean): Promise<{ ready: boolean; checks: CheckResult[] }> {
  const limit = o.timeoutMs ?? 2000;
  const checks = await Promise.all(Object.entries(o.checks).map(async ([name, fn]): Promise<CheckResult> => {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(fn),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit); }),
      ]);
      return { name, ok: true, ms: Date.now() - t0 };
    } catch (e) {
      return { name, ok: false, ms: Date.now() - t0, error: (e as Error)?.message ?? String(e) };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }));
  if (draining) checks.push({ name: 'shutdown', ok: false, ms: 0, error: 'the instance is shutting down' });
  return { ready: checks.every((c) => c.ok), checks };
}

/** Adds `/livez` and `/readyz` to `app` (outside `/api/`, so no token is needed). */
export function registerHealthRoutes(app: FastifyInstance, o: HealthOptions): void {
  let draining = false;
  app.addHook('preClose', async () => { draining = true; });
  app.get('/livez', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const r = await runReadiness(o, draining);
    return reply.code(r.ready ? 200 : 503).send(r);
  });
}
