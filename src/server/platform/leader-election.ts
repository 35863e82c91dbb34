/**
 * One leader per embedded job among platform instances sharing a PostgreSQL catalog: the leader of job J is the
 * instance holding the session advisory lock `hashtextextended('freshet-job:' || J, 0)` on its dedicated lock
 * connection. PostgreSQL releases session locks when the session ends, so when a leader dies (SIGKILL, crash, host
 * loss) its TCP connection closes and a standby's next `pg_try_advisory_lock` (the job manager polls every ~1 s)
 * succeeds.
 *
 * Fencing: the lock connection is checked with a round trip at every poll (`checkIntervalMs`, with a query timeout);
 * when it fails or the connection ends, every lock is considered lost at once and `onLost` listeners are told (the
 * job manager then stops those jobs immediately). A new connection is opened at the next `ensureConnected`.
 * A leader that is alive but stuck (a frozen process, an event loop blocked for long) keeps its TCP connection, so
 * the lock session also gets `idle_session_timeout` (PostgreSQL 14+; `sessionTimeoutMs`, default 10 s): the leader
 * makes a round trip every poll, so only a leader that stopped polling is cut off, and the standby takes over.
 * Server-side TCP keepalives on the session bound the time to notice a vanished host.
 * Invariant: `held` only contains names whose lock was granted on the current connection.
 */
import pg from 'pg';

export interface LeaderElectionOptions {
  url: string;
  /** Name of this instance (shown in job status and events). */
  instanceId: string;
  /** Query timeout of the lock connection (ms, default 2000): a hung connection counts as lost after this. */
  queryTimeoutMs?: number;
  /**
   * The server ends the lock session after this long without a query (ms, default 10000; 0 = never), releasing the
   * locks of a leader that stopped polling. Must be well above the poll interval.
   */
  sessionTimeoutMs?: number;
}

export class LeaderElection {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly held = new Set<string>();
  private readonly lostListeners = new Set<(names: string[], reason: string) => void>();
  private closed = false;

  constructor(readonly o: LeaderElectionOptions) {}

  get instanceId(): string { return this.o.instanceId; }

  /** Registers a listener for lost leadership (the connection broke); returns the unsubscribe function. */
  onLost(fn: (names: string[], reason: string) => void): () => void {
    this.lostListeners.add(fn);
    return () => this.lostListeners.delete(fn);
  }

  holds(name: string): boolean { return this.held.has(name); }
  heldNames(): string[] { return [...this.held]; }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const c = new pg.Client({
        connectionString: this.o.url, query_timeout: this.o.queryTimeoutMs ?? 2000, connectionTimeoutMillis: this.o.queryTimeoutMs ?? 2000,
        keepAlive: true, application_name: `freshet-leader-${this.o.instanceId}`.slice(0, 63),
      });
      const drop = (reason: string): void => { if (this.client === c) this.lose(reason); };
      c.on('error', (e) => drop(`lock connection error: ${e.message}`));
      c.on('end', () => drop('lock connection ended'));
      try {
        await c.connect();
      } catch (e) {
        await c.end().catch(() => undefined);
        throw e;
      }
      const timeout = Math.max(0, Math.round(this.o.sessionTimeoutMs ?? 10_000));
      // Older servers lack idle_session_timeout: the lock still works, only a stuck leader is not cut off.
      await c.query(`SET idle_session_timeout = ${timeout}`).catch(() => undefined);
      await c.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3').catch(() => undefined);
      this.client = c;
      return c;
    })().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  /** Forgets every lock (the session is gone or unusable) and tells the listeners. */
  private lose(reason: string): void {
    const c = this.client;
    this.client = undefined;
    if (c) void c.end().catch(() => undefined);
    const names = [...this.held];
    this.held.clear();
    if (names.length > 0) for (const fn of this.lostListeners) fn(names, reason);
  }

  /**
   * Checks the lock connection (a round trip); on failure drops it and reports the loss. Returns whether a working
   * connection exists afterwards (it reconnects when there was none).
   */
  async check(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const c = await this.connect();
      await c.query('SELECT 1');
      return true;
    } catch (e) {
      this.lose(`lock connection check failed: ${(e as Error).message}`);
      return false;
    }
  }

  /** Tries to become the leader of `name` without waiting; true when this instance holds the lock. */
  async tryAcquire(name: string): Promise<boolean> {
    if (this.closed) return false;
    if (this.held.has(name)) return true;
    let c: pg.Client;
    try { c = await this.connect(); } catch { return false; }
    try {
      const r = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended('freshet-job:' || $1, 0)) AS ok`, [name]);
      if (r.rows[0]?.ok === true && this.client === c) { this.held.add(name); return true; }
      return false;
    } catch (e) {
      this.lose(`lock query failed: ${(e as Error).message}`);
      return false;
    }
  }

  /** Gives up the leadership of `name` (a stopped or deleted job); a standby may take it at its next poll. */
  async release(name: string): Promise<void> {
    if (!this.held.delete(name)) return;
    const c = this.client;
    if (!c) return;
    try {
      await c.query(`SELECT pg_advisory_unlock(hashtextextended('freshet-job:' || $1, 0))`, [name]);
    } catch (e) {
      this.lose(`unlock failed: ${(e as Error).message}`);
    }
  }

  /** Releases everything by closing the lock connection (graceful shutdown, after the jobs have stopped). */
  async close(): Promise<void> {
    this.closed = true;
    this.held.clear();
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }
}
