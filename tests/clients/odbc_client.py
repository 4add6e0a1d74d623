"""ODBC (psqlODBC's "PostgreSQL Unicode" driver through pyodbc) client used by odbc.test.ts.

Usage: /usr/bin/python3 tests/clients/odbc_client.py PORT [HOST] [EXTRA]
Connects DSN-less (DRIVER={PostgreSQL Unicode};SERVER=...;PORT=...;DATABASE=millrace;UID=tester;
EXTRA) and runs one section per feature; prints one JSON object mapping each section name to its
result, or to {"error": "..."} if it raised:
  query: a plain SELECT; setup: DDL; insert / select: statements with ? parameters (the driver
  prepares them as named statements unless EXTRA holds UseServerSidePrepare=0), run twice each;
  tables / columns / primary_keys: the ODBC catalog functions SQLTables, SQLColumns, SQLPrimaryKeys.
Exits non-zero only if it cannot connect.
"""
import datetime
import decimal
import json
import sys
import traceback

import pyodbc


def to_json(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def rows(cursor):
    return [[to_json(v) for v in row] for row in cursor.fetchall()]


def main():
    port = sys.argv[1]
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    extra = sys.argv[3] if len(sys.argv) > 3 else ""
    conn = pyodbc.connect(
        f"DRIVER={{PostgreSQL Unicode}};SERVER={host};PORT={port};DATABASE=millrace;UID=tester;PWD=;{extra}",
        timeout=10, autocommit=True)
    cur = conn.cursor()

    def setup():
        cur.execute("DROP TABLE IF EXISTS odbc_items")
        ddl = "CREATE TABLE odbc_items (id INT NOT NULL, name VARCHAR(20), price DECIMAL(10, 2), at TIMESTAMP(6), day DATE, ok BOOLEAN, PRIMARY KEY (id){})"
        try:  # millrace keys are NOT ENFORCED (Flink semantics); PostgreSQL does not know the clause
            cur.execute(ddl.format(" NOT ENFORCED"))
        except pyodbc.Error:
            cur.execute(ddl.format(""))
        return True

    def insert():
        cur.execute("INSERT INTO odbc_items VALUES (?, ?, ?, ?, ?, ?)", 1, "it's \u00fc", decimal.Decimal("1.50"),
                    datetime.datetime(2024, 1, 2, 3, 4, 5), datetime.date(2024, 1, 2), True)
        first = cur.rowcount
        cur.execute("INSERT INTO odbc_items VALUES (?, ?, ?, ?, ?, ?)", 2, None, None, None, None, None)
        return [first, cur.rowcount]

    def select():
        cur.execute("SELECT id, name, price, at, day FROM odbc_items WHERE id = ?", 1)
        one = rows(cur)
        cur.execute("SELECT id, name FROM odbc_items WHERE id >= ? ORDER BY id", 1)
        return {"one": one, "all": rows(cur), "description": [[d[0], d[1].__name__] for d in cur.description]}

    sections = [
        ("query", lambda: rows(cur.execute("SELECT 1 AS one, 'x' AS s, CAST(2.5 AS DECIMAL(3, 1)) AS d"))),
        ("setup", setup),
        ("insert", insert),
        ("select", select),
        ("tables", lambda: [list(r)[:4] for r in cur.tables(table="odbc_items").fetchall()]),
        ("columns", lambda: [[r.column_name, r.data_type, r.type_name, r.column_size, r.nullable] for r in cur.columns(table="odbc_items").fetchall()]),
        ("primary_keys", lambda: [list(r) for r in cur.primaryKeys("odbc_items").fetchall()]),
    ]
    out = {}
    for name, fn in sections:
        try:
            out[name] = fn()
        except Exception as err:  # report and go on with the next section
            out[name] = {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc(limit=3)}
    print(json.dumps(out))
    conn.close()


if __name__ == "__main__":
    main()
