/**
 * API tokens and roles of the platform. Every `/api/...` request except the OpenAPI document and its docs carries
 * `Authorization: Bearer <token>`; the token maps to a role:
 *   viewer  reads everything (GET) and may validate/preview SQL and infer schemas (they change nothing);
 *   editor  also creates and edits sources and jobs, posts events, starts/stops jobs;
 *   admin   also deletes sources and jobs and reads the token list (masked).
 * Tokens come from `FRESHET_API_TOKEN` (admin), `FRESHET_API_TOKENS` (`token:role,token:role`), or
 * `<data>/platform/tokens.json` (`{"tokens":[{"token":"...","role":"viewer","name":"ci"}]}`); when none is
 * configured one admin token is generated at start (printed by `freshet start`). Tokens are never returned.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REDACTED } from '../../catalog/dictionary/source-model.js';

export type Role = 'viewer' | 'editor' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export interface TokenEntry { token: string; role: Role; name?: string }

export interface TokenConfig {
  tokens: TokenEntry[];
  /** True when the admin token was generated because none was configured (print it). */
  generated: boolean;
}

/** Reads the token configuration from the environment and the data directory (see the file comment). */
export function loadTokenConfig(dataDir: string, env: Record<string, string | undefined> = process.env): TokenConfig {
  const tokens: TokenEntry[] = [];
  const single = env['FRESHET_API_TOKEN'];
  if (single) tokens.push({ token: single, role: 'admin', name: 'FRESHET_API_TOKEN' });
  for (const part of (env['FRESHET_API_TOKENS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.lastIndexOf(':');
    const role = part.slice(i + 1) as Role;
    if (i <= 0 || !ROLES.includes(role)) throw new Error(`FRESHET_API_TOKENS: expected 'token:role' with role viewer, editor or admin, got '${part.slice(0, 4)}…'`);
    tokens.push({ token: part.slice(0, i), role, name: `FRESHET_API_TOKENS[${tokens.length}]` });
  }
  const file = path.join(dataDir, 'platform', 'tokens.json');
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { tokens?: TokenEntry[] };
    for (const t of parsed.tokens ?? []) {
      if (typeof t.token !== 'string' || !ROLES.includes(t.role)) throw new Error(`${file}: each token needs "token" and "role" (viewer, editor or admin)`);
      tokens.push(t);
    }
  }
  if (tokens.length > 0) return { tokens, generated: false };
  return { tokens: [{ token: randomBytes(18).toString('base64url'), role: 'admin', name: 'generated' }], generated: true };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The role a request needs: GET → viewer, DELETE → admin, read-only POSTs → viewer, other writes → editor. */
export function requiredRole(method: string, url: string): Role {
  const p = url.split('?')[0]!;
  if (method === 'GET' || method === 'HEAD') return p.startsWith('/api/admin/') ? 'admin' : 'viewer';
  if (method === 'DELETE') return 'admin';
  if (method === 'POST' && (p === '/api/sources/infer' || p === '/api/sql/validate' || p === '/api/sql/preview' || p.startsWith('/api/features/'))) return 'viewer';
  return 'editor';
}

const PUBLIC = (p: string): boolean => p === '/api/openapi.json' || p === '/api/docs' || p.startsWith('/api/docs/');

declare module 'fastify' {
  interface FastifyRequest { role?: Role; tokenName?: string }
}

/** Adds the bearer-token check to every `/api/` route of `app`. */
export function installAuth(app: FastifyInstance, cfg: TokenConfig): void {
  const entries = cfg.tokens.map((t) => ({ ...t, hash: digest(t.token) }));
  const deny = (reply: FastifyReply, status: number, code: string, message: string): FastifyReply =>
    reply.code(status).header('www-authenticate', 'Bearer').send({ error: { code, message, field: 'Authorization' } });
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const p = req.url.split('?')[0]!;
    if (!p.startsWith('/api/') || PUBLIC(p)) return;
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m) return deny(reply, 401, 'AUTH_REQUIRED', 'missing API token: send Authorization: Bearer <token>');
    const d = digest(m[1]!);
    const hit = entries.find((e) => timingSafeEqual(e.hash, d));
    if (!hit) return deny(reply, 401, 'AUTH_INVALID', 'unknown API token');
    const need = requiredRole(req.method, p);
    if (RANK[hit.role] < RANK[need]) {
      return reply.code(403).send({ error: { code: 'FORBIDDEN', message: `role '${hit.role}' may not ${req.method} ${p}; needs '${need}'` } });
    }
    req.role = hit.role;
    if (hit.name) req.tokenName = hit.name;
    return undefined;
  });
}

/** The token list as the admin API shows it: names and roles, each token masked. */
export function maskedTokens(cfg: TokenConfig): { name: string; role: Role; token: string }[] {
  return cfg.tokens.map((t, i) => ({ name: t.name ?? `token ${i + 1}`, role: t.role, token: REDACTED }));
}
