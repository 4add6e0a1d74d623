"""psycopg 3 client used by psycopg3.test.ts.

Usage: /usr/bin/python3 tests/clients/psycopg3_client.py PORT [HOST]
Connects to database millrace as user tester and runs one section per feature; prints one JSON
object on stdout mapping each section name to its result, or to {"error": "..."} if the section
raised (so one broken feature does not hide the others):
  params: a SELECT of parameters bound server-side (text), with the Python types read back;
  binary: the same with binary parameters and results (cursor.execute(..., binary=True));
  table: rows inserted with executemany and read back with a WHERE parameter, as typed values;
  description: (name, type_code) of that SELECT's columns;
  copy_in / copy_out: cursor.copy with write_row into a table, then COPY TO rows (text);
  copy_binary: the same through COPY ... (FORMAT binary), rows read with read_row and set_types;
  named_cursor: a server-side cursor (conn.cursor(name=...)) read with fetchmany, and pg_cursors while it is open;
  prepared: a statement run past prepare_threshold, and one prepared at once (prepare=True);
  pipeline: queries and an executemany in pipeline mode, then cursor.stream (single-row mode);
  error: the SQLSTATE of a failing statement and a query that works after it.
Exits non-zero only if it cannot connect.
"""
import datetime
import decimal
import json
import sys
import traceback

import psycopg


def to_json(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def typed(row):
    return [[type(v).__name__, to_json(v)] for v in row]


PARAMS = [42, 2**40, decimal.Decimal("12.345"), "it's \u00fc", True, None, datetime.date(2024, 2, 29),
          datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), 1.5, [1, 2, 3]]
ROWS = [
    (1, 2**40, decimal.Decimal("1.25"), "apple", True, datetime.datetime(2024, 1, 2, 3, 4, 5, 250000), datetime.date(2024, 1, 2), 0.5, [1, 2]),
    (2, -1, decimal.Decimal("-10.00"), "it's \u00fc", False, datetime.datetime(1999, 12, 31, 23, 59, 59), datetime.date(1999, 12, 31), -2.25, []),
    (3, None, None, None, None, None, None, None, None),
]
COLUMNS = "id INT, big BIGINT, price DECIMAL(10, 2), name VARCHAR(20), ok BOOLEAN, at TIMESTAMP(6), day DATE, f DOUBLE PRECISION, tags INT[]"
PLACEHOLDERS = ", ".join(["%s"] * 9)


def section_params(conn):
    cur = conn.cursor()
    cur.execute("SELECT " + ", ".join(["%s"] * len(PARAMS)), PARAMS)
    return typed(cur.fetchone())


def section_binary(conn):
    cur = conn.cursor()
    cur.execute("SELECT " + ", ".join(["%b"] * len(PARAMS)), PARAMS, binary=True)
    row = cur.fetchone()
    formats = [cur.pgresult.fformat(i) for i in range(cur.pgresult.nfields)]
    return {"row": typed(row), "formats": formats}


def section_table(conn):
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS pg3_items")
    cur.execute(f"CREATE TABLE pg3_items ({COLUMNS})")
    cur.executemany(f"INSERT INTO pg3_items VALUES ({PLACEHOLDERS})", ROWS)
    cur.execute("SELECT * FROM pg3_items WHERE id >= %s ORDER BY id", (1,))
    back = cur.fetchall()
    description = [[d.name, d.type_code] for d in cur.description]
    cur.execute("SELECT * FROM pg3_items WHERE id = %s", (2,), binary=True)
    binary_back = cur.fetchall()
    return {
        "rows": [typed(r) for r in back],
        "equal": back == ROWS,
        "binary_equal": binary_back == [ROWS[1]],
        "description": description,
        "rowcount": cur.rowcount,
    }


def section_copy(conn):
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS pg3_copy")
    cur.execute("CREATE TABLE pg3_copy (id INT, name TEXT, price DECIMAL(10, 2), day DATE)")
    with cur.copy("COPY pg3_copy (id, name, price, day) FROM STDIN") as copy:
        copy.write_row((1, "tab\there", decimal.Decimal("1.50"), datetime.date(2024, 1, 2)))
        copy.write_row((2, None, None, None))
        copy.write_row((3, "back\\slash \u00fc", decimal.Decimal("-0.01"), datetime.date(2000, 2, 29)))
    copied = cur.rowcount
    out = []
    with cur.copy("COPY (SELECT id, name, price, day FROM pg3_copy ORDER BY id) TO STDOUT") as copy:
        for row in copy.rows():
            out.append(list(row))
    return {"copied": copied, "rows": out}


def section_copy_binary(conn):
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS pg3_copyb")
    cur.execute("CREATE TABLE pg3_copyb (id INT, name TEXT, price DECIMAL(10, 2), day DATE, at TIMESTAMP(6), big BIGINT)")
    rows = [
        (1, "x\ty", decimal.Decimal("1.50"), datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5, 6), 2**40),
        (2, None, None, None, None, None),
    ]
    with cur.copy("COPY pg3_copyb FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "text", "numeric", "date", "timestamp", "int8"])
        for r in rows:
            copy.write_row(r)
    copied = cur.rowcount
    back = []
    with cur.copy("COPY (SELECT * FROM pg3_copyb ORDER BY id) TO STDOUT (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "text", "numeric", "date", "timestamp", "int8"])
        while True:
            row = copy.read_row()
            if row is None:
                break
            back.append(row)
    return {"copied": copied, "equal": back == rows, "rows": [typed(r) for r in back]}


def section_named_cursor(conn):
    conn.autocommit = False
    try:
        with conn.cursor(name="pg3_named") as cur:
            cur.execute("SELECT id, name FROM pg3_items WHERE id <= %s ORDER BY id", (3,))
            first = cur.fetchmany(2)
            listed = [r[0] for r in conn.execute("SELECT name FROM pg_catalog.pg_cursors ORDER BY name").fetchall()]
            rest = cur.fetchall()
        conn.commit()
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        conn.autocommit = True
    return {"first": [list(r) for r in first], "rest": [list(r) for r in rest], "listed": listed}


def section_prepared(conn):
    conn.prepare_threshold = 2
    cur = conn.cursor()
    names = []
    for i in (1, 2, 3, 1):
        cur.execute("SELECT name FROM pg3_items WHERE id = %s", (i,))
        names.append(cur.fetchone()[0])
    forced = conn.execute("SELECT id FROM pg3_items WHERE id = %s", (2,), prepare=True).fetchone()[0]
    return {"names": names, "forced": forced}


def section_pipeline(conn):
    with conn.pipeline():
        one = conn.execute("SELECT %s::INT AS a", (1,))
        two = conn.execute("SELECT id FROM pg3_items WHERE id <= %s ORDER BY id", (2,))
        conn.cursor().executemany("INSERT INTO pg3_copy (id, name) VALUES (%s, %s)", [(100, "p"), (101, "q")])
    streamed = [list(r) for r in conn.cursor().stream("SELECT id, name FROM pg3_copy WHERE id >= %s ORDER BY id", (100,))]
    return {"one": [list(r) for r in one.fetchall()], "two": [list(r) for r in two.fetchall()], "streamed": streamed}


def section_error(conn):
    cur = conn.cursor()
    code = None
    try:
        cur.execute("SELECT * FROM no_such_table WHERE id = %s", (1,))
    except psycopg.Error as err:
        code = err.sqlstate
    cur.execute("SELECT %s::INT + 1", (41,))
    return {"code": code, "after": cur.fetchone()[0]}


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    conn = psycopg.connect(host=host, port=port, dbname="millrace", user="tester", connect_timeout=10, autocommit=True)
    out = {"server_version": conn.info.server_version, "timezone": str(conn.info.timezone)}
    sections = [
        ("params", section_params), ("binary", section_binary), ("table", section_table), ("copy", section_copy),
        ("copy_binary", section_copy_binary), ("named_cursor", section_named_cursor), ("prepared", section_prepared),
        ("pipeline", section_pipeline), ("error", section_error),
    ]
    for name, fn in sections:
        try:
            out[name] = fn(conn)
        except Exception as err:  # report and go on with the next section
            out[name] = {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc(limit=3)}
            if conn.closed:
                conn = psycopg.connect(host=host, port=port, dbname="millrace", user="tester", connect_timeout=10, autocommit=True)
            elif conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
                conn.autocommit = True
    print(json.dumps(out))
    conn.close()


if __name__ == "__main__":
    main()
