-- millrace quick start: a Flink-style table stored by millrace, some rows, and a few queries.
-- Run with: psql -h 127.0.0.1 -p 5488 -d millrace -f examples/quickstart.sql

DROP TABLE IF EXISTS orders;

CREATE TABLE orders (
  order_id   BIGINT,
  customer   STRING,
  product    STRING,
  amount     DECIMAL(10, 2),
  order_time TIMESTAMP(3),
  -- event time: rows may arrive up to 5 seconds out of order
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND,
  PRIMARY KEY (order_id) NOT ENFORCED
);

INSERT INTO orders VALUES
  (1, 'alice', 'coffee', 3.50, TIMESTAMP '2024-05-01 09:00:00'),
  (2, 'bob',   'tea',    2.80, TIMESTAMP '2024-05-01 09:01:30'),
  (3, 'alice', 'cake',   4.20, TIMESTAMP '2024-05-01 09:02:10'),
  (4, 'carol', 'coffee', 3.50, TIMESTAMP '2024-05-01 09:05:00'),
  (5, 'bob',   'coffee', 3.50, TIMESTAMP '2024-05-01 09:07:45');

-- The primary key makes the table an upsert table: this replaces order 2.
INSERT INTO orders VALUES (2, 'bob', 'tea', 3.10, TIMESTAMP '2024-05-01 09:01:30');

DESCRIBE orders;

SELECT * FROM orders ORDER BY order_id;

-- Revenue and order count per customer.
SELECT customer, COUNT(*) AS orders, SUM(amount) AS revenue
FROM orders
GROUP BY customer
ORDER BY revenue DESC;

-- Best-selling products.
SELECT product, COUNT(*) AS sold
FROM orders
GROUP BY product
HAVING COUNT(*) > 1
ORDER BY sold DESC;
