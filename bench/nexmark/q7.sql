-- Nexmark q7, highest bid: the bids carrying the highest price of each 10 s tumbling window.
CREATE TABLE nexmark_q7_sink (
  auction BIGINT, price BIGINT, bidder BIGINT, dateTime TIMESTAMP(3), extra VARCHAR
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q7_sink
SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
FROM bid AS B
INNER JOIN (
  SELECT MAX(price) AS maxprice, window_end AS dateTime
  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end
) AS M
ON B.price = M.maxprice
WHERE B.dateTime BETWEEN M.dateTime - INTERVAL '10' SECOND AND M.dateTime;
