"""psycopg2 client used by psycopg2.test.ts.

Usage: /usr/bin/python3 tests/clients/psycopg2_client.py PORT [HOST]
Connects to database millrace as user tester, creates a table, inserts rows with parameters
(executemany and execute), selects them back and prints one JSON object on stdout:
{"server_version": ..., "rows": [[id, name, price, ok, at, day], ...], "count": N,
 "error_code": SQLSTATE of a deliberate error, "after_error": result of a query after it,
 "params": Python type and str() of each value of a SELECT of parameters, "params_codes": its
 cursor.description type codes, "kinds_equal": whether rows of every type round-trip through a table
 unchanged, "kinds_types": the Python types read back, "kinds_description": cursor.description
 (name, type_code, internal_size, precision, scale) of that table's columns}.
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

    params = [42, 2**40, 1.5, decimal.Decimal("12.345"), "it's \u00fc", True, None, datetime.date(2024, 2, 29),
              datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), [1, 2, 3], ["a", "b"], -7]
    cur.execute("SELECT " + ", ".join(["%s"] * len(params)), params)
    got = cur.fetchone()
    params_out = [[type(v).__name__, str(v)] for v in got]
    params_codes = [d.type_code for d in cur.description]

    cur.execute("DROP TABLE IF EXISTS py_kinds")
    cur.execute(
        "CREATE TABLE py_kinds (i INT, b BIGINT, f DOUBLE PRECISION, r REAL, d DECIMAL(12, 3), s VARCHAR(10), t TEXT,"
        " ok BOOLEAN, day DATE, at TIMESTAMP(6), tags INT[], names TEXT[])"
    )
    kinds = [
        (1, 2**40, 1.5, 0.25, decimal.Decimal("12.345"), "it's", "\u00fc", True, datetime.date(2024, 2, 29),
         datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), [1, 2, 3], ["a", "b c"]),
        (2, None, None, None, None, None, None, None, None, None, None, None),
    ]
    cur.executemany("INSERT INTO py_kinds VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", kinds)
    cur.execute("SELECT * FROM py_kinds WHERE i = %s OR f = %s ORDER BY i", (2, 1.5))
    kinds_back = cur.fetchall()
    kinds_types = [[type(v).__name__ for v in row] for row in kinds_back]
    kinds_description = [[d.name, d.type_code, d.internal_size, d.precision, d.scale] for d in cur.description]
    # Without autocommit psycopg2 opens a transaction before the first statement; an error then
    # rollback() (what SQLAlchemy does) discards everything the transaction wrote.
    cur.execute("DROP TABLE IF EXISTS py_tx")
    cur.execute("CREATE TABLE py_tx (n INT)")
    cur.execute("INSERT INTO py_tx VALUES (1)")
    tx = psycopg2.connect(host=host, port=port, dbname="millrace", user="tester", connect_timeout=10)
    tcur = tx.cursor()
    tcur.execute("INSERT INTO py_tx VALUES (2)")
    tcur.execute("UPDATE py_tx SET n = n * 10")
    tcur.execute("SELECT n FROM py_tx ORDER BY n")
    tx_inside = [r[0] for r in tcur.fetchall()]
    cur.execute("SELECT n FROM py_tx ORDER BY n")
    tx_outside = [r[0] for r in cur.fetchall()]
    tx_error = None
    try:
        tcur.execute("SELECT * FROM no_such_table")
    except psycopg2.Error as err:
        tx_error = err.pgcode
    tx.rollback()
    tcur.execute("SELECT n FROM py_tx ORDER BY n")
    tx_after_rollback = [r[0] for r in tcur.fetchall()]
    with tx:
        tcur.execute("INSERT INTO py_tx VALUES (3)")
    cur.execute("SELECT n FROM py_tx ORDER BY n")
    tx_after_commit = [r[0] for r in cur.fetchall()]
    tx.close()
    print(json.dumps({
        "tx": [tx_inside, tx_outside, tx_error, tx_after_rollback, tx_after_commit],
        "server_version": conn.server_version,
        "rows": rows,
        "count": count,
        "error_code": error_code,
        "after_error": after_error,
        "params": params_out,
        "params_codes": params_codes,
        "kinds_equal": kinds_back == kinds,
        "kinds_types": kinds_types,
        "kinds_description": kinds_description,
    }))
    conn.close()


if __name__ == "__main__":
    main()
