-- Per-user order counts and amounts per 1-minute tumbling window, from a JSON-lines file.
CREATE TABLE orders (
  order_id BIGINT,
  user_id  STRING,
  item     STRING,
  amount   DOUBLE,
  qty      INT,
  ts       TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'orders.json',
  'format' = 'json'
);

SELECT user_id,
       window_start,
       window_end,
       COUNT(*)              AS orders,
       ROUND(SUM(amount), 2) AS amount,
       MAX(qty)              AS max_qty
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY user_id, window_start, window_end;
