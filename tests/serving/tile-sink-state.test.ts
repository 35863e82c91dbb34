/**
 * The tile writer's state: closed tiles are kept compact (a checkpoint of many small keys stays small), checkpoints of
 * the previous state format (Maps of live tiles) are read and continue to the same store contents, and an unknown state
 * format is refused with a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { inflateRawSync } from 'node:zlib';
import { RowKind } from '../../src/common/row.js';
import { MemoryKvStore } from './memory-store.js';
import { DAY, HOUR, MIN, feed, finish, makeOperator, makeSpec, randomEvents, rng, rowOf, type Ev } from './helpers.js';

const T0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);

/**
 * Checkpoint `{base, state}` (v8.serialize, deflated) taken by the format-1 writer after feeding the first 60 of
 * randomEvents(rng(7), 90, 2, T0, DAY) with feed() to makeSpec([HOUR, DAY], [MIN, HOUR]).
 */
const FORMAT1_CHECKPOINT =
  'vVt9TBzHFd9b7mPtow1yiBXZTovOKHbBrc/ERtVhXO5iRV56PaMKOyYyX8ZHctQGyoeFixJFFFkBWYRQElyXYkwSRDBQSlrXpm1EHOw6pHVJqq' +
  'IUua5LrQhRCVOwWpS4tLqbmTczNwus6kn/Yn83t783v3lv3sy8Of7zUJnLeqSwMljmsodKy6urKgstuhJQEtY9WbxQ48uwWFyOouqKimBpFXxY' +
  'q7pslVWFVcEy/DfNpVbvKHOpx0541bSAolz79/aFGl+Zy1JY6NAVXdVVr6ovOXU1UVF1q9eiLzkTFYtuhyeNaV/rjdHVNJca2qWrHtWdqMTosb' +
  'qS4XC4LEW66rLUBJTm/rXuhRqfyxJMAyDTkkettQYU5Vis20CGjSG3AbkNyG2mZYz8PpbKwECmJSxj3UZOhjVC/tIa3UrIz8YQ8lkgJ+1hcmuY' +
  'fKeuutTQE7rqsWITVizGGhGTde7LjE9OfylKzCwjZtYm2puNFrOTEaNmOBxggSE9G0NJqQj0pDHtQPpEFKnHGhmh3gMGjj4VS8lPxRJy9KQx7Y' +
  'Y95h2d8PBhOjYYyLSEHb31sVRRRuNaSt64lpCjJ41pB3L3sjLG9cdTQQYGMi1hGbtnDGQkU+5kQp1MmJOjiFOWldA5MkclYCDLCu7+C5kesfuf' +
  'WSjzZxZCjZ40ph3IU5eVMLjnkAckYCDTEpYx9qyBjBtWSn7DSsjRk8a0m5gT43XfoTIwkGkJy6grTBdl+Cm3n1D7CbM/injHshLi/hYhRxIwkG' +
  'UFd39owqD7Ew7KPOEg1OhJY9oNFwaVk1AwOUklYCDTEpYx+m6GKEPRFcztxsxuwoubTKyht792NQMEYCDHBu76zTf3il1vYVazFljNWmA1azG/' +
  'CVDOv70XBGAg0xLxQPw+UcZdJlfchVxxF3LFXYvpuTBuSdhHpzMCMi1hGXEpBjKuM+TXgfw6kF+3mF7iBt9JozIwkGmJZCWH/4Hmw/JptcC+3k' +
  '8nNAJybOCuF+cbdH3KTsdlyk7GBT1pTLuJ+RCXW0IFYCDTEpbROh8QZSyolHxBJeToSWPaTfgh7tX7ASoDAZmWsAyPZb+4t59i9vb1QH4LsvYU' +
  's7fHOxmrsD6gXb37r9b9NL3+KQIYGbeY9eGWQ7R0y7HKngksMKT1zNjQ7tfD2NSrK5Ayu3r/N3LYsdEi5Jce0e2EfBTy6bBGyEl7mNyOBt6K0h' +
  'E+PtijxklDO3z3t3JgnDK+8mQOL2lYo5KQLd4qaV/W3QGls1sgZQZ/GAZ/GAZ/2LEq6Yi2L+d/ThA7hBMaHgWGbpRZvuhwj8LyNWpb4YQWiXMt' +
  '4ss7J3PE6drMkDcDeTOQN9tMb6rLv/8C9R8GMi3h6dp07rAoY54pV8xDuWIeyhXzTtPHm7gDXYdp1kFApiUs4+jmXFFGB0PeAeQdQN7hNH/QHN' +
  'ySSzcTCMi0hGXczzWQMcnMqkmYVZMwqyYdpr1RkH+EysBApiUsw3q6SJQxxqyTY7BOjsE6OWZfpd5CZWT9+UwRyMBApiUso/ds0QPtiVY4Mfs7' +
  'qAAM5NggR/7dxWLXB5mcPwg5fxBy/qBmOjt1Zu4tplULBGRaCsvw7AyfPz7+6v9FSW2MJ/yGSw3WeNWAojy68e/P1/gCitL5XNPzNb5ERa1VXW' +
  'q1m6kpRxVj0U5nzkZ3Opdhq9ALPSPtUMXcJVQxFW6/o7Q9Qit1Be9/MapS18uMRK8m2uvVVtl9ggWG9DKz36EiLsN+57K62hppNarzIvJu5sTS' +
  'DSeWbjixdFtMp7Pxfz1GxwYDmZZWqp/lU+58Qp1PmPNXGR/msP3BAVp0wkCWlZXqZjPM2MzA2MzA2MxYTB8ssuaeoxIwkGkJyyh/3yvK6GRWrE' +
  '5YsTphxeo0vzaON97w0mBCQKYlLOPT7T5RxgCzYg3AijUAK9aA3fROJePjVB/d9yMg0xKWkdpmUITqZ1zdD67uB1f3m5/atxPP0SIUBjItGdfS' +
  '7BHyCyrN4Q1wiZNHuEkzHMhQCkcHslTmQEauo+xoJ7yxjyoq+KRnr7S6YEAZ8b8VRdfAXERRDQ1wEdUQs0J5C52dcIcZ0jzKmScMS94KS25kU2' +
  'VHhaafGQROCSUuIcQlhLjEdO24fPYXdIgxkGUFB0xW7lNi96eZ3DANuWEacsO0w/wlxKa8p2gWQkCmJXLs6zaQMcPsJWZgLzEDe4kZzfSylnX1' +
  'LSoDA5mWsIyBoG5wH87khiXIDUuQG5bM15DdE9/VQQYGMi1hGS2/1h/ooLH8auDOGWEEICDHBu76psTMz+kepbkxKZNe3yMg9R7FsODaw9RVeq' +
  'Cu0gN1lR6b+YLrFyy0UomBTEtYxuGu/Z9T5X4u6XUqAAOplfvZ1INi16+soeNyZQ0ZF/SkMe0mpm/Gsa8fpHshBGRaIjvTK0+LMpqY6+ImuC5u' +
  'guviJqvpZJrw4bWn6Y81EJBpCcvodueI51kn3QqlE+oUwuyMOsu6I1ugXcxZlq/dj6xPpzXNuZO7o2qa6VQH2EonttJX2ZcCO0OYQglThM6nrL' +
  'bgozNsQewzonP7mN/H9MHvY/rg9zF9saZjtGBkwzN0W4iATEvYuZ8M5Iky4il3PKGOJ8zx5i/IJi7l0USHgCwrK1UUh5iq6xBUXYeg6jrkNF1R' +
  'vP36K7Qgh4FMS8YVRTTFJtfRObZILxCBnLTDNEsRSkb8NBuc+zEV0/xue5SYReYISO0twhFw0b7KbRZYYG9BmRGacooippzmSkZN8waObmV63A' +
  'o9boUet5q/zE0YWaRjg4FMS5HCpTvNo6xWTPRYXbajoYqqk141zaPgFxzlwdKjodJnvWqZy37kZHboeKQsdKqobqHGtyX8m9ZtloCibKsAHK5J' +
  'bgvb+OhF8pk78r3wZyW/5N+brnuJw/f3N3B4z+BpgaPxd+Jnvt+8zL1XsbuZw/VbfsBh9/ZWwhHBw6/y+J/3X+Nwu7NNtLmhjftO3HtnOByI/S' +
  'GH6793luvDeBuPSz/4Eff9b29u5/DNBh77jndw7z9+lcfZh84LPvm0+Dz3nU1aF8c50N7DYffWXg4Xv3aBw7FvXuD43vgLjxMq+vgxsf2Ea09s' +
  '4PGv3uNxd/xPufdH//FzMaaUi8JngUMXuff2dF2ivJ5sl60qdDxY6U2CUIYYhsCFaIUwhfiEwIRohBCE2IOgg2iDMIP4gsCCaIIwgviBwIGIgV' +
  'CBGIHggKiAcIA4AOeD18Hd4GdwMHgWXAq+BCeC98Bt4C9wFHgHXAK+SFSSapmc4lGIT5RERamN3HzYgidCRVVc3mHyTMSvNMfQGK95Wcw7cWP8' +
  'e02v8HmnK4/PO3feEXOM+6b42fQf+bzz6Df5vJOUyuediXQ+zxS80bpcnkFzfIOYd6a38t+5+CGfd+5t4PNOUgOfZ0508zh+ks87izv4PFN3hs' +
  'fTtXye+e0feMzkGPBJZzWfd66s5/NO9gU+70yk9i6TZxAeepvPM5mzPL72Ip937j3M55WxNh4f+YjH/s183jHKMXEPiZ/dK+bzzp3BSxzvSHuI' +
  'yUMHScwnQ5NhHkIRDWEM8QuBCxELYQqxCUEJ0QhhCPFnmIdQmEF8QWBBREEoQQxB8EDUQLhAnLB5CEUFhAPEAQQAm4eQy8HX4GTwLrgV/AmOZP' +
  'MQchv4CpyUqCSH/2nneGFNdiW9TnaeCFZUhspKfYWVQV2ptdeq/wU=';

test('closed tiles are kept compact: a checkpoint of 2000 keys with 3 events each stays small', async () => {
  const op = makeOperator(makeSpec([HOUR], [MIN]), new MemoryKvStore());
  const r = rng(3);
  const events: Ev[] = [];
  for (let i = 0; i < 6000; i++) {
    events.push({ user: `u${Math.floor(r() * 2000)}`, amount: Math.floor(r() * 100), ts: T0 + i * 100 + Math.floor(r() * 50), item: `i${i % 5}`, big: r() < 0.5 });
  }
  await feed(op, events, 500);
  const s = op.stats();
  assert.ok(s.closed > s.tiles * 0.8, `most tiles are closed (${s.closed} of ${s.tiles})`);
  const bytes = serialize(op.snapshot()).length;
  // Format 1 took 645 bytes per key here (live accumulators and an entry Map per tile); format 2 takes 371.
  assert.ok(bytes / s.keys < 450, `checkpoint bytes per key: ${(bytes / s.keys).toFixed(0)}`);
});

test('a format-1 checkpoint is restored and the job ends with the same store as an uninterrupted run', async () => {
  const spec = makeSpec([HOUR, DAY], [MIN, HOUR]);
  const events = randomEvents(rng(7), 90, 2, T0, DAY);
  const clean = new MemoryKvStore();
  const a = makeOperator(spec, clean);
  await feed(a, events.slice(0, 60));
  await feed(a, events.slice(60));
  await finish(a);

  const store = new MemoryKvStore();
  const b = makeOperator(spec, store);
  await feed(b, events.slice(0, 60));
  const cp = deserialize(inflateRawSync(Buffer.from(FORMAT1_CHECKPOINT, 'base64'))) as { base: { inputs: number[]; current: number }; state: unknown };
  assert.equal((cp.state as { v?: number }).v, undefined, 'the fixture is a format-1 state');
  const c = makeOperator(spec, store);
  c.restoreBase(cp.base);
  c.restore(cp.state);
  await feed(c, events.slice(60));
  await finish(c);
  assert.ok(store.dump().length > 50);
  assert.deepEqual(store.dump(), clean.dump());
});

test('an unknown checkpoint state format is refused with a clear error', () => {
  const op = makeOperator(makeSpec([HOUR], [MIN]), new MemoryKvStore());
  op.process({ rows: [rowOf({ user: 'a', amount: 1, ts: T0, item: 'x', big: false })], kinds: [RowKind.Insert] }, 0);
  const snap = structuredClone(op.snapshot()) as { v: number };
  snap.v = 99;
  const other = makeOperator(makeSpec([HOUR], [MIN]), new MemoryKvStore());
  assert.throws(() => other.restore(snap), /checkpoint state format 99 is not supported/);
});
