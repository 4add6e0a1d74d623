-- A small schema and data set that the client tests load with psql (-v ON_ERROR_STOP=1).
DROP TABLE IF EXISTS orders;
CREATE TABLE orders (
  order_id INT,
  customer VARCHAR(20),
  amount DECIMAL(10, 2),
  placed_at TIMESTAMP(3)
);
INSERT INTO orders VALUES
  (1, 'ann', 12.50, TIMESTAMP '2024-01-01 10:00:00'),
  (2, 'bob', 7.25, TIMESTAMP '2024-01-01 10:05:00'),
  (3, 'ann', 30.00, TIMESTAMP '2024-01-01 11:00:00');
SELECT customer, COUNT(*) AS orders, SUM(amount) AS total FROM orders GROUP BY customer ORDER BY customer;
