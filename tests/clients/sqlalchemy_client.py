"""SQLAlchemy 1.4 (psycopg2 dialect) and pandas client used by sqlalchemy-pandas.test.ts.

Usage: /usr/bin/python3 tests/clients/sqlalchemy_client.py PORT [HOST]
Creates an engine for postgresql+psycopg2://tester@HOST:PORT/millrace and runs one section per
feature; prints one JSON object mapping each section name to its result, or to {"error": "..."}
if it raised:
  dialect: server_version_info and default_schema_name from the dialect's first-connect queries;
  tables / columns / pk / has_table: inspect(engine) reflection of a table made here;
  read_sql: pandas.read_sql of a SELECT (dtypes and values);
  to_sql_append: DataFrame.to_sql(if_exists='append') into that table, read back with a parameter;
  to_sql_new: DataFrame.to_sql into a table pandas creates, its reflected columns and rows.
Exits non-zero only if the engine cannot connect.
"""
import json
import math
import sys
import traceback

import pandas as pd
import sqlalchemy as sa

TABLE = "sa_items"
DDL = "CREATE TABLE sa_items (id INT NOT NULL, name VARCHAR(20), price DECIMAL(10, 2), at TIMESTAMP(6), ok BOOLEAN, PRIMARY KEY (id){})"


def plain(v):
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return v


def frame(df):
    return {"dtypes": [[c, str(t)] for c, t in df.dtypes.items()], "rows": [[plain(v) for v in row] for row in df.itertuples(index=False)]}


def section_setup(engine):
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS sa_items"))
        c.execute(sa.text("DROP TABLE IF EXISTS sa_frame"))
    # millrace keys are NOT ENFORCED (Flink semantics); PostgreSQL does not know the clause.
    try:
        with engine.begin() as c:
            c.execute(sa.text(DDL.format(" NOT ENFORCED")))
    except sa.exc.DBAPIError:
        with engine.begin() as c:
            c.execute(sa.text(DDL.format("")))
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO sa_items VALUES (1, 'a', 1.50, TIMESTAMP '2024-01-02 03:04:05', true), (2, NULL, NULL, NULL, NULL)"))
    return True


def section_dialect(engine):
    with engine.connect():
        pass
    return {"version": list(engine.dialect.server_version_info)[:1], "schema": engine.dialect.default_schema_name}


def section_tables(engine):
    return TABLE in sa.inspect(engine).get_table_names()


def section_columns(engine):
    cols = sa.inspect(engine).get_columns(TABLE)
    return [[c["name"], repr(c["type"]), c["nullable"]] for c in cols]


def section_pk(engine):
    return sa.inspect(engine).get_pk_constraint(TABLE)["constrained_columns"]


def section_has_table(engine):
    return [sa.inspect(engine).has_table(TABLE), sa.inspect(engine).has_table("no_such_table")]


def section_read_sql(engine):
    return frame(pd.read_sql("SELECT id, name, price, at, ok FROM sa_items ORDER BY id", engine))


def section_to_sql_append(engine):
    df = pd.DataFrame({
        "id": [10, 11],
        "name": ["x", None],
        "price": [2.5, None],
        "at": pd.to_datetime(["2024-05-06 07:08:09.5", None]),
        "ok": [True, False],
    })
    written = df.to_sql(TABLE, engine, if_exists="append", index=False)
    back = pd.read_sql(sa.text("SELECT id, name, price, at, ok FROM sa_items WHERE id >= :m ORDER BY id"), engine, params={"m": 10})
    return {"written": written, **frame(back)}


def section_to_sql_new(engine):
    df = pd.DataFrame({"k": [1, 2, 3], "label": ["one", "two", None], "x": [0.1, -1.25, 3.0]})
    df.to_sql("sa_frame", engine, index=False)
    cols = [[c["name"], repr(c["type"])] for c in sa.inspect(engine).get_columns("sa_frame")]
    back = pd.read_sql("SELECT * FROM sa_frame ORDER BY k", engine)
    return {"columns": cols, **frame(back)}


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    engine = sa.create_engine(f"postgresql+psycopg2://tester@{host}:{port}/millrace", connect_args={"connect_timeout": 10})
    out = {}
    for name, fn in [("setup", section_setup), ("dialect", section_dialect), ("tables", section_tables), ("columns", section_columns),
                     ("pk", section_pk), ("has_table", section_has_table), ("read_sql", section_read_sql),
                     ("to_sql_append", section_to_sql_append), ("to_sql_new", section_to_sql_new)]:
        try:
            out[name] = fn(engine)
        except Exception as err:  # report and go on with the next section
            out[name] = {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc(limit=3)}
    print(json.dumps(out))
    engine.dispose()


if __name__ == "__main__":
    main()
