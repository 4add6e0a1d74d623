-- millrace continuous queries: materialized views kept up to date as rows arrive, windows fired by
-- the watermark, and a change stream read through a cursor. Every statement ends.
-- Run with: psql -h 127.0.0.1 -p 5488 -d millrace -v ON_ERROR_STOP=1 -f examples/continuous.sql

DROP TABLE IF EXISTS bids CASCADE;

-- A stored table with an event-time attribute: the watermark trails the greatest bidtime seen by
-- one second, so a bid may arrive up to one second out of order.
CREATE TABLE bids (
  bid_id  BIGINT,
  item    STRING,
  price   DECIMAL(10, 2),
  bidtime TIMESTAMP(3),
  WATERMARK FOR bidtime AS bidtime - INTERVAL '1' SECOND,
  PRIMARY KEY (bid_id) NOT ENFORCED
);

-- Kept up to date on every INSERT, UPDATE and DELETE of bids, before the write returns.
CREATE MATERIALIZED VIEW bids_per_item AS
  SELECT item, COUNT(*) AS bids, MAX(price) AS top_price
  FROM bids
  GROUP BY item;

-- A window appears once the watermark has passed its end, and never changes afterwards.
CREATE MATERIALIZED VIEW bids_per_10min AS
  SELECT window_start, window_end, COUNT(*) AS bids, SUM(price) AS total
  FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES))
  GROUP BY window_start, window_end;

-- A view on a view.
CREATE MATERIALIZED VIEW busiest_window AS
  SELECT MAX(bids) AS most_bids FROM bids_per_10min;

INSERT INTO bids VALUES
  (1, 'lamp',  4.00, TIMESTAMP '2020-04-15 08:05:00'),
  (2, 'chair', 2.00, TIMESTAMP '2020-04-15 08:07:00'),
  (3, 'lamp',  5.00, TIMESTAMP '2020-04-15 08:09:00'),
  (4, 'table', 3.00, TIMESTAMP '2020-04-15 08:11:00');

SELECT * FROM bids_per_item ORDER BY item;

-- The watermark is 08:10:59, so only [08:00, 08:10) has fired.
SELECT * FROM bids_per_10min ORDER BY window_start;

-- Updates and deletes reach the views too (bid 3 becomes a chair; bid 2 is withdrawn). The window
-- [08:00, 08:10) of bids_per_10min has fired and stays as it was: changes to rows of fired windows
-- are counted as late rows.
UPDATE bids SET item = 'chair' WHERE bid_id = 3;
DELETE FROM bids WHERE bid_id = 2;
SELECT * FROM bids_per_item ORDER BY item;

-- A change stream: a cursor over SUBSCRIBE returns what arrived within the timeout. Declared
-- outside a transaction block, the cursor stays open until CLOSE, and the INSERT commits at once
-- (inside BEGIN ... COMMIT the subscription would see the bid only at COMMIT, which closes the cursor).
DECLARE changes CURSOR FOR SUBSCRIBE TO bids_per_item;
FETCH ALL changes WITH (timeout = '200ms');
INSERT INTO bids VALUES (5, 'lamp', 7.50, TIMESTAMP '2020-04-15 08:21:00');
FETCH ALL changes WITH (timeout = '200ms');
CLOSE changes;

-- Bid 5 moved the watermark to 08:20:59: the window [08:10, 08:20) has fired.
SELECT * FROM bids_per_10min ORDER BY window_start;
SELECT * FROM busiest_window;

-- A late bid: every window holding 08:04 has fired, so it is dropped and counted (SHOW JOBS,
-- column "late rows": the update pair and the delete above, and this bid).
INSERT INTO bids VALUES (6, 'lamp', 1.00, TIMESTAMP '2020-04-15 08:04:00');
SELECT * FROM bids_per_10min ORDER BY window_start;

SHOW MATERIALIZED VIEWS;
SHOW JOBS;
