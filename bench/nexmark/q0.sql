-- Nexmark q0, pass through: every bid unchanged; measures the source and the engine's per-row overhead.
CREATE TABLE nexmark_q0_sink (
  auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), extra VARCHAR
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q0_sink
SELECT auction, bidder, price, dateTime, extra FROM bid;
