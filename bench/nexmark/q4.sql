-- Nexmark q4, average price per category: the winning (highest valid) bid of each auction, averaged per category.
-- A bid is valid when it arrives while the auction is open.
CREATE TABLE nexmark_q4_sink (id BIGINT, final BIGINT) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q4_sink
SELECT W.category, AVG(W.final)
FROM (
  SELECT A.id, A.category, MAX(B.price) AS final
  FROM auction AS A
  INNER JOIN bid AS B ON A.id = B.auction
  WHERE B.dateTime BETWEEN A.dateTime AND A.expires
  GROUP BY A.id, A.category
) AS W
GROUP BY W.category;
