"""psycopg2 client used by psycopg2.test.ts.

Usage: /usr/bin/python3 tests/clients/psycopg2_client.py PORT [HOST]
Connects to database millrace as user tester, creates a table, inserts rows with parameters
(executemany and execute), selects them back and prints one JSON object on stdout:
{"server_version": ..., "rows": [[id, name, price, ok, at, day], ...], "count": N,
 "error_code": SQLSTATE of a deliberate error, "after_error": result of a query after it}.
Exits non-zero with a message on stderr on any unexpected failure.
"""
import datetime
import decimal
import json
import sys

import psycopg2


def to_json(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    conn = psycopg2.connect(host=host, port=port, dbname="millrace", user="tester", connect_timeout=10)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS py_items")
    cur.execute("CREATE TABLE py_items (id INT, name VARCHAR(20), price DECIMAL(10, 2), ok BOOLEAN, at TIMESTAMP(3), day DATE)")
    cur.executemany(
        "INSERT INTO py_items VALUES (%s, %s, %s, %s, %s, %s)",
        [
            (1, "apple", decimal.Decimal("1.25"), True, datetime.datetime(2024, 1, 2, 3, 4, 5), datetime.date(2024, 1, 2)),
            (2, "it's", decimal.Decimal("10.00"), False, datetime.datetime(2024, 1, 2, 3, 4, 5, 250000), datetime.date(1999, 12, 31)),
        ],
    )
    cur.execute("INSERT INTO py_items VALUES (%s, %s, %s, %s, %s, %s)", (3, None, None, None, None, None))
    cur.execute("SELECT id, name, price, ok, at, day FROM py_items WHERE id >= %s ORDER BY id", (1,))
    rows = [[to_json(v) for v in row] for row in cur.fetchall()]
    cur.execute("SELECT COUNT(*) FROM py_items")
    count = cur.fetchone()[0]
    error_code = None
    try:
        cur.execute("SELECT * FROM no_such_table")
    except psycopg2.Error as err:
        error_code = err.pgcode
    cur.execute("SELECT name FROM py_items WHERE id = %s", (1,))
    after_error = cur.fetchone()[0]
    print(json.dumps({
        "server_version": conn.server_version,
        "rows": rows,
        "count": count,
        "error_code": error_code,
        "after_error": after_error,
    }))
    conn.close()


if __name__ == "__main__":
    main()
