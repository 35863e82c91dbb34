/**
 * Entry point of a parallel worker thread: builds one instance of every parallel operator of the program (see
 * stage-plan.ts), wires the ones chained inside the worker, and then applies the main thread's event batches in
 * order. Each request is answered once everything it caused has been processed — including asynchronous operator
 * work, awaited before every watermark and at the end — so a reply is the worker's acknowledgement of the batch and
 * the main thread may checkpoint after it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Row } from '../../common/row.js';
import { FreshetError } from '../../common/diagnostics.js';
import { Metrics } from '../metrics.js';
import type { Operator, OperatorContext } from '../operator.js';
import { createOperator } from './operator-factory.js';
import { exchangeLayout, isLocalEdge } from './exchange-layout.js';
import { WorkerOutputOperator } from './exchange-operators.js';
import type { DeadLetterMsg, InEvent, OpState, OutEvent, Reply, Request, WorkerInit } from './messages.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const metrics = new Metrics();
let dead: DeadLetterMsg[] = [];
let deadSent = 0;
/** Events recorded by the exchange outputs since the last reply. */
const out: { events: OutEvent[] } = { events: [] };

function safeJson(row: unknown): string {
  try {
    return JSON.stringify(row, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : typeof v === 'bigint' ? String(v) : v));
  } catch {
    return String(row);
  }
}

const ctx: OperatorContext = {
  metrics,
  now: () => Date.now(),
  badRow: (operator, row, reason) => {
    metrics.inc('badRows');
    if (deadSent + dead.length < init.deadLetterLimit) dead.push({ operator, reason, raw: safeJson(row) });
  },
};
const evalCtx = { timeZone: init.timeZone, now: () => Date.now() };

const layout = exchangeLayout(init.program);
const byId = new Map(init.program.operators.map((p) => [p.id, p]));
const ops: Operator[] = [];
const opsById = new Map<string, Operator>();

function build(): void {
  const edgeIndex = new Map(layout.edges.map((e, i) => [`${e.to}#${e.input}`, i]));
  for (const p of init.program.operators) {
    // Wire outputs of parallel producers in program order of their consumers (as the single-threaded runner does).
    const local = isLocalEdge(p, layout.plan.parallel);
    let op: Operator | undefined;
    if (layout.plan.parallel.has(p.id)) {
      const inFields = p.inputs.map((i) => byId.get(i)!.fields);
      op = createOperator(p, inFields, { ctx, evalCtx });
      if (!op) throw new Error(`internal: operator ${p.id} (${p.kind}) cannot run in a worker`);
      ops.push(op);
      opsById.set(p.id, op);
    }
    p.inputs.forEach((from, input) => {
      const producer = opsById.get(from);
      if (!producer) return;
      if (local) { producer.outputs.push({ op: op!, input }); return; }
      const edge = edgeIndex.get(`${p.id}#${input}`)!;
      const w = new WorkerOutputOperator(`~out${edge}`, producer.fields, ctx, out, edge);
      producer.outputs.push({ op: w, input: 0 });
    });
  }
}

async function flushAsync(): Promise<void> {
  for (const op of ops) {
    const f = (op as { flushAsync?: () => Promise<void> }).flushAsync;
    if (f) await f.call(op);
  }
}

async function apply(events: InEvent[]): Promise<void> {
  for (const ev of events) {
    switch (ev.k) {
      case 0: ops[ev.op]!.process({ rows: ev.rows as Row[], kinds: ev.kinds }, ev.input); break;
      case 1: await flushAsync(); ops[ev.op]!.watermark(ev.wm, ev.input); break;
      case 2: await flushAsync(); ops[ev.op]!.setInputIdle(ev.input, ev.idle); break;
      case 3: await flushAsync(); ops[ev.op]!.finish(); break;
      case 4:
        await flushAsync();
        for (const op of ops) {
          const f = (op as { onProcessingTime?: (now: number) => void }).onProcessingTime;
          if (f) f.call(op, ev.now);
        }
        break;
    }
  }
  await flushAsync();
}

function takeOutput(): OutEvent[] {
  const events = out.events;
  out.events = [];
  return events;
}

async function handle(req: Request): Promise<Reply> {
  switch (req.t) {
    case 'run': {
      await apply(req.events);
      const m = [...metrics.counters];
      metrics.counters.clear();
      const d = dead;
      deadSent += d.length;
      dead = [];
      return { t: 'done', events: takeOutput(), metrics: m, dead: d };
    }
    case 'snapshot': {
      const s: OpState = {};
      for (const op of ops) s[op.id] = { base: op.snapshotBase(), state: op.snapshot() };
      return { t: 'snapshot', ops: s };
    }
    case 'restore': {
      for (const op of ops) {
        const s = req.ops[op.id];
        if (!s) continue;
        op.restoreBase(s.base as { inputs: number[]; current: number });
        if (s.state !== undefined) op.restore(s.state);
      }
      return { t: 'ok' };
    }
    case 'stats': return { t: 'stats', ops: ops.map((o) => [o.id, o.rowsIn, o.rowsOut]) };
  }
}

function fail(e: unknown): Reply {
  if (e instanceof FreshetError) return { t: 'error', message: e.message, diagnostics: [...e.diagnostics] };
  return { t: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

// Requests are handled one at a time, in arrival order.
let chain: Promise<void> = Promise.resolve();
try {
  build();
  port.on('message', (req: Request) => {
    chain = chain.then(async () => {
      let reply: Reply;
      try { reply = await handle(req); } catch (e) { reply = fail(e); }
      port.postMessage(reply);
    });
  });
  port.postMessage({ t: 'ready' } satisfies Reply);
} catch (e) {
  port.postMessage(fail(e));
}
