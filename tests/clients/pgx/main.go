// The Go client of tests/clients/pgx.test.ts: drives a server through pgx v4 (Debian's
// golang-github-jackc-pgx-v4-dev, built offline in GOPATH mode) and prints one JSON object whose
// sections the test checks. A section that fails carries {"error": ...} instead of its result, so
// one failure does not hide the others.
//
// Usage: main <host> <port> [streaming]
// "streaming" adds the sections that need millrace's SUBSCRIBE (they are skipped against PostgreSQL).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgtype"
	"github.com/jackc/pgx/v4"
)

type out map[string]interface{}

var ctx = context.Background()

// roundTrip is one type checked three ways: a binary parameter read back as a binary result (what
// pgx does by default for the types it knows), a text parameter read back as a text result, and the
// simple protocol (client-side interpolation, text results).
type roundTrip struct {
	name   string
	sql    string      // the type as written in the cast, e.g. "int2", "numeric", "int4[]"
	binary interface{} // a pgtype value, sent in binary
	text   string      // the same value as text
	dst    func() pgtype.Value
}

func rt(name, sql string, binary interface{}, text string, dst func() pgtype.Value) roundTrip {
	return roundTrip{name, sql, binary, text, dst}
}

func mustSet(v interface {
	Set(interface{}) error
}, x interface{}) interface{} {
	if err := v.Set(x); err != nil {
		panic(err)
	}
	return v
}

func roundTrips() []roundTrip {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	return []roundTrip{
		rt("int2", "int2", mustSet(&pgtype.Int2{}, int16(-12345)), "-12345", func() pgtype.Value { return &pgtype.Int2{} }),
		rt("int4", "int4", mustSet(&pgtype.Int4{}, int32(2147483647)), "2147483647", func() pgtype.Value { return &pgtype.Int4{} }),
		rt("int8", "int8", mustSet(&pgtype.Int8{}, int64(-9007199254740993)), "-9007199254740993", func() pgtype.Value { return &pgtype.Int8{} }),
		rt("float4", "float4", mustSet(&pgtype.Float4{}, float32(1.5)), "1.5", func() pgtype.Value { return &pgtype.Float4{} }),
		rt("float8", "float8", mustSet(&pgtype.Float8{}, 3.141592653589793), "3.141592653589793", func() pgtype.Value { return &pgtype.Float8{} }),
		rt("numeric", "numeric(12,4)", mustSet(&pgtype.Numeric{}, "-12345.6789"), "-12345.6789", func() pgtype.Value { return &pgtype.Numeric{} }),
		rt("bool", "bool", mustSet(&pgtype.Bool{}, true), "t", func() pgtype.Value { return &pgtype.Bool{} }),
		rt("text", "text", mustSet(&pgtype.Text{}, "it's \u00fc \u2603"), "it's \u00fc \u2603", func() pgtype.Value { return &pgtype.Text{} }),
		rt("varchar", "varchar(20)", mustSet(&pgtype.Varchar{}, "tab\there"), "tab\there", func() pgtype.Value { return &pgtype.Varchar{} }),
		rt("bytea", "bytea", mustSet(&pgtype.Bytea{}, []byte{0, 1, 0x7f, 0xff}), `\x00017fff`, func() pgtype.Value { return &pgtype.Bytea{} }),
		rt("date", "date", mustSet(&pgtype.Date{}, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)), "2024-02-29", func() pgtype.Value { return &pgtype.Date{} }),
		rt("timestamp", "timestamp", mustSet(&pgtype.Timestamp{}, ts), "2024-01-02 03:04:05.123456", func() pgtype.Value { return &pgtype.Timestamp{} }),
		rt("timestamptz", "timestamptz", mustSet(&pgtype.Timestamptz{}, ts), "2024-01-02 03:04:05.123456+00", func() pgtype.Value { return &pgtype.Timestamptz{} }),
		rt("interval", "interval", &pgtype.Interval{Microseconds: 3723000004, Days: 5, Status: pgtype.Present}, "5 days 01:02:03.000004", func() pgtype.Value { return &pgtype.Interval{} }),
		rt("interval_ym", "interval year to month", &pgtype.Interval{Months: 14, Status: pgtype.Present}, "1 year 2 mons", func() pgtype.Value { return &pgtype.Interval{} }),
		rt("uuid", "uuid", mustSet(&pgtype.UUID{}, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", func() pgtype.Value { return &pgtype.UUID{} }),
		rt("json", "json", mustSet(&pgtype.JSON{}, `{"a": [1, 2.5, "x"]}`), `{"a": [1, 2.5, "x"]}`, func() pgtype.Value { return &pgtype.JSON{} }),
		rt("int4[]", "int4[]", mustSet(&pgtype.Int4Array{}, []int32{1, -2, 3}), "{1,-2,3}", func() pgtype.Value { return &pgtype.Int4Array{} }),
		rt("int8[]", "int8[]", mustSet(&pgtype.Int8Array{}, []int64{10000000000, 0}), "{10000000000,0}", func() pgtype.Value { return &pgtype.Int8Array{} }),
		rt("text[]", "text[]", mustSet(&pgtype.TextArray{}, []string{"a", "b c", "", "q\"uote"}), `{a,"b c","","q\"uote"}`, func() pgtype.Value { return &pgtype.TextArray{} }),
		rt("float8[]", "float8[]", mustSet(&pgtype.Float8Array{}, []float64{1.25, -0.5}), "{1.25,-0.5}", func() pgtype.Value { return &pgtype.Float8Array{} }),
		rt("bool[]", "bool[]", mustSet(&pgtype.BoolArray{}, []bool{true, false}), "{t,f}", func() pgtype.Value { return &pgtype.BoolArray{} }),
	}
}

// textOf prints a decoded value in PostgreSQL's text form, through pgx's own text encoder.
func textOf(ci *pgtype.ConnInfo, v pgtype.Value) (interface{}, error) {
	if v.Get() == nil {
		return nil, nil
	}
	enc, ok := v.(pgtype.TextEncoder)
	if !ok {
		return nil, fmt.Errorf("%T has no text encoder", v)
	}
	b, err := enc.EncodeText(ci, nil)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func scanOne(conn *pgx.Conn, sql string, dst pgtype.Value, args ...interface{}) (interface{}, uint32, int16, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		if rows.Err() != nil {
			return nil, 0, 0, rows.Err()
		}
		return nil, 0, 0, fmt.Errorf("no row")
	}
	fd := rows.FieldDescriptions()[0]
	if err := rows.Scan(dst); err != nil {
		return nil, 0, 0, err
	}
	rows.Close()
	if rows.Err() != nil {
		return nil, 0, 0, rows.Err()
	}
	s, err := textOf(conn.ConnInfo(), dst)
	return s, fd.DataTypeOID, fd.Format, err
}

func section(o out, name string, f func() (interface{}, error)) {
	defer func() {
		if r := recover(); r != nil {
			o[name] = out{"error": fmt.Sprint(r)}
		}
	}()
	v, err := f()
	if err != nil {
		e := out{"error": err.Error()}
		if pgErr, ok := err.(*pgconn.PgError); ok {
			e["code"] = pgErr.Code
		}
		o[name] = e
		return
	}
	o[name] = v
}

func collect(rows pgx.Rows) ([][]interface{}, error) {
	defer rows.Close()
	res := [][]interface{}{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		res = append(res, vals)
	}
	return res, rows.Err()
}

func main() {
	host, port := os.Args[1], os.Args[2]
	streaming := len(os.Args) > 3 && os.Args[3] == "streaming"
	connStr := fmt.Sprintf("host=%s port=%s user=tester dbname=millrace sslmode=disable", host, port)
	conn, err := pgx.Connect(ctx, connStr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
	defer conn.Close(ctx)
	o := out{}

	section(o, "connect", func() (interface{}, error) {
		if err := conn.Ping(ctx); err != nil {
			return nil, err
		}
		var one int32
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			return nil, err
		}
		pc := conn.PgConn()
		return out{"one": one, "server_version": pc.ParameterStatus("server_version"), "client_encoding": pc.ParameterStatus("client_encoding"),
			"standard_conforming_strings": pc.ParameterStatus("standard_conforming_strings"), "pid_nonzero": pc.PID() != 0}, nil
	})

	section(o, "types", func() (interface{}, error) {
		res := out{}
		for _, t := range roundTrips() {
			entry := out{}
			q := fmt.Sprintf("SELECT $1::%s", t.sql)
			if v, oid, format, err := scanOne(conn, q, t.dst(), t.binary); err != nil {
				entry["binary"] = "error: " + err.Error()
			} else {
				entry["binary"], entry["oid"], entry["binary_format"] = v, oid, format
			}
			if v, _, format, err := scanOne(conn, q, t.dst(), pgx.QueryResultFormats{pgx.TextFormatCode}, t.text); err != nil {
				entry["text"] = "error: " + err.Error()
			} else {
				entry["text"], entry["text_format"] = v, format
			}
			if v, _, _, err := scanOne(conn, q, t.dst(), pgx.QuerySimpleProtocol(true), t.text); err != nil {
				entry["simple"] = "error: " + err.Error()
			} else {
				entry["simple"] = v
			}
			res[t.name] = entry
		}
		return res, nil
	})

	section(o, "table", func() (interface{}, error) {
		if _, err := conn.Exec(ctx, `CREATE TABLE pgx_items (id INT NOT NULL, name VARCHAR(40), price NUMERIC(10,2), qty BIGINT,
			ok BOOLEAN, day DATE, at TIMESTAMP, f DOUBLE PRECISION, tags TEXT[], PRIMARY KEY (id) NOT ENFORCED)`); err != nil {
			// PostgreSQL has no NOT ENFORCED.
			if _, err2 := conn.Exec(ctx, `CREATE TABLE pgx_items (id INT NOT NULL, name VARCHAR(40), price NUMERIC(10,2), qty BIGINT,
				ok BOOLEAN, day DATE, at TIMESTAMP, f DOUBLE PRECISION, tags TEXT[], PRIMARY KEY (id))`); err2 != nil {
				return nil, err
			}
		}
		ins := "INSERT INTO pgx_items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
		day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
		at := time.Date(2024, 5, 1, 12, 30, 0, 250000000, time.UTC)
		tags := []string{"red", "x y"}
		price := &pgtype.Numeric{}
		_ = price.Set("19.99")
		inserted := int64(0)
		for _, args := range [][]interface{}{
			{int32(1), "apple", price, int64(3), true, day, at, 0.5, tags},
			{int32(2), "it's \u00fc", "-0.5", int64(-7), false, day.AddDate(0, 0, 1), at.Add(time.Hour), -1.25, []string{}},
			{int32(3), nil, nil, nil, nil, nil, nil, nil, nil},
		} {
			tag, err := conn.Exec(ctx, ins, args...)
			if err != nil {
				return nil, err
			}
			inserted += tag.RowsAffected()
		}
		rows, err := conn.Query(ctx, "SELECT id, name, price, qty, ok, day, at, f, tags FROM pgx_items WHERE id >= $1 ORDER BY id", int32(1))
		if err != nil {
			return nil, err
		}
		fds := []interface{}{}
		for _, fd := range rows.FieldDescriptions() {
			fds = append(fds, []interface{}{string(fd.Name), fd.DataTypeOID, fd.Format})
		}
		type item struct {
			id    int32
			name  *string
			price pgtype.Numeric
			qty   *int64
			ok    *bool
			day   pgtype.Date
			at    pgtype.Timestamp
			f     *float64
			tags  pgtype.TextArray
		}
		got := [][]interface{}{}
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.id, &it.name, &it.price, &it.qty, &it.ok, &it.day, &it.at, &it.f, &it.tags); err != nil {
				rows.Close()
				return nil, err
			}
			p, _ := textOf(conn.ConnInfo(), &it.price)
			d, _ := textOf(conn.ConnInfo(), &it.day)
			a, _ := textOf(conn.ConnInfo(), &it.at)
			tg, _ := textOf(conn.ConnInfo(), &it.tags)
			got = append(got, []interface{}{it.id, it.name, p, it.qty, it.ok, d, a, it.f, tg})
		}
		rows.Close()
		if rows.Err() != nil {
			return nil, rows.Err()
		}
		var name string
		if err := conn.QueryRow(ctx, "SELECT name FROM pgx_items WHERE name LIKE $1 AND qty < $2", "it%", 0).Scan(&name); err != nil {
			return nil, err
		}
		return out{"inserted": inserted, "fields": fds, "rows": got, "like": name}, nil
	})

	section(o, "batch", func() (interface{}, error) {
		b := &pgx.Batch{}
		b.Queue("SELECT count(*) FROM pgx_items")
		b.Queue("SELECT name FROM pgx_items WHERE id = $1", int32(1))
		b.Queue("SELECT $1::int8 * 2", int64(21))
		br := conn.SendBatch(ctx, b)
		var n int64
		var name string
		var doubled int64
		if err := br.QueryRow().Scan(&n); err != nil {
			br.Close()
			return nil, err
		}
		if err := br.QueryRow().Scan(&name); err != nil {
			br.Close()
			return nil, err
		}
		if err := br.QueryRow().Scan(&doubled); err != nil {
			br.Close()
			return nil, err
		}
		return []interface{}{n, name, doubled}, br.Close()
	})

	// pgx prepares every statement and checks the argument count against the ParameterDescription.
	section(o, "update", func() (interface{}, error) {
		upd, err := conn.Exec(ctx, "UPDATE pgx_items SET qty = qty + $1 WHERE id = $2", int64(10), int32(1))
		if err != nil {
			return nil, err
		}
		del, err := conn.Exec(ctx, "DELETE FROM pgx_items WHERE id = $1", int32(3))
		if err != nil {
			return nil, err
		}
		var qty int64
		if err := conn.QueryRow(ctx, "SELECT qty FROM pgx_items WHERE id = $1", int32(1)).Scan(&qty); err != nil {
			return nil, err
		}
		return out{"updated": upd.RowsAffected(), "deleted": del.RowsAffected(), "qty": qty}, nil
	})

	section(o, "error", func() (interface{}, error) {
		_, err := conn.Exec(ctx, "SELECT * FROM pgx_no_such_table")
		code := ""
		if pgErr, ok := err.(*pgconn.PgError); ok {
			code = pgErr.Code
		}
		var after int32
		if err := conn.QueryRow(ctx, "SELECT $1::int4 + 1", int32(41)).Scan(&after); err != nil {
			return nil, err
		}
		return out{"code": code, "after": after}, nil
	})

	// What pgx v5's Conn.LoadType asks the catalog to register a derived type (v4 leaves this to the
	// application): the oid of a type name through regtype, its typtype and typbasetype, and for an
	// array its element type. The result is registered and used to decode an array in binary.
	section(o, "load_type", func() (interface{}, error) {
		res := out{}
		for _, name := range []string{"_int4", "int4[]", "_numeric", "varchar"} {
			var oid uint32
			if err := conn.QueryRow(ctx, "select $1::text::regtype::oid;", name).Scan(&oid); err != nil {
				return nil, fmt.Errorf("regtype of %s: %w", name, err)
			}
			var typtype string
			var typbasetype uint32
			if err := conn.QueryRow(ctx, "select typtype::text, typbasetype from pg_type where oid=$1", oid).Scan(&typtype, &typbasetype); err != nil {
				return nil, fmt.Errorf("typtype of %s: %w", name, err)
			}
			var elem uint32
			if err := conn.QueryRow(ctx, "select typelem from pg_type where oid=$1", oid).Scan(&elem); err != nil {
				return nil, fmt.Errorf("typelem of %s: %w", name, err)
			}
			res[name] = []interface{}{oid, typtype, typbasetype, elem}
		}
		// Register _numeric under a new name and decode through it.
		ci := conn.ConnInfo()
		ci.RegisterDataType(pgtype.DataType{Value: &pgtype.NumericArray{}, Name: "_numeric_loaded", OID: 1231})
		var arr pgtype.NumericArray
		if err := conn.QueryRow(ctx, "SELECT ARRAY[1.5, -2.25]::numeric(10,2)[]").Scan(&arr); err != nil {
			return nil, err
		}
		s, err := textOf(ci, &arr)
		res["decoded"] = s
		return res, err
	})

	// The catalog queries behind pgx-based tools' schema views (Grafana's pgx-backed schema browser).
	section(o, "catalog", func() (interface{}, error) {
		rows, err := conn.Query(ctx, `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns
			WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, "public", "pgx_items")
		if err != nil {
			return nil, err
		}
		cols, err := collect(rows)
		if err != nil {
			return nil, err
		}
		rows, err = conn.Query(ctx, `SELECT a.attname, a.atttypid, t.typname FROM pg_catalog.pg_attribute a
			JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
			WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, "pgx_items")
		if err != nil {
			return nil, err
		}
		atts, err := collect(rows)
		if err != nil {
			return nil, err
		}
		return out{"columns": cols, "attributes": atts}, nil
	})

	if streaming {
		section(o, "cursor", func() (interface{}, error) { return subscribeCursor(conn, connStr) })
		section(o, "stream", func() (interface{}, error) { return subscribeStream(conn, connStr) })
	}

	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func fetchAll(tx pgx.Tx) ([][]interface{}, error) {
	rows, err := tx.Query(ctx, "FETCH ALL pgx_c WITH (timeout = '1s')")
	if err != nil {
		return nil, err
	}
	return collect(rows)
}

// subscribeCursor reads a SUBSCRIBE through DECLARE / FETCH in a transaction, while a second
// connection commits changes between the fetches.
func subscribeCursor(conn *pgx.Conn, connStr string) (interface{}, error) {
	other, err := pgx.Connect(ctx, connStr)
	if err != nil {
		return nil, err
	}
	defer other.Close(ctx)
	if _, err := other.Exec(ctx, "CREATE TABLE pgx_events (k TEXT, n INT)"); err != nil {
		return nil, err
	}
	if _, err := other.Exec(ctx, "INSERT INTO pgx_events VALUES ($1, $2), ($3, $4)", "a", int32(1), "b", int32(2)); err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "DECLARE pgx_c CURSOR FOR SUBSCRIBE TO (SELECT k, sum(n) AS total FROM pgx_events GROUP BY k)"); err != nil {
		return nil, err
	}
	snapshot, err := fetchAll(tx)
	if err != nil {
		return nil, err
	}
	if _, err := other.Exec(ctx, "INSERT INTO pgx_events VALUES ($1, $2)", "a", int32(10)); err != nil {
		return nil, err
	}
	changes, err := fetchAll(tx)
	if err != nil {
		return nil, err
	}
	quiet, err := fetchAll(tx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "CLOSE pgx_c"); err != nil {
		return nil, err
	}
	return out{"snapshot": snapshot, "changes": changes, "quiet": quiet}, tx.Commit(ctx)
}

// subscribeStream runs SUBSCRIBE as a plain query and reads its rows one by one as they arrive,
// then ends it by cancelling the context (pgx sends a CancelRequest).
func subscribeStream(conn *pgx.Conn, connStr string) (interface{}, error) {
	other, err := pgx.Connect(ctx, connStr)
	if err != nil {
		return nil, err
	}
	defer other.Close(ctx)
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := conn.Query(qctx, "SUBSCRIBE TO pgx_events WITH (SNAPSHOT = false)")
	if err != nil {
		return nil, err
	}
	got := [][]interface{}{}
	for i := 0; i < 2; i++ {
		if _, err := other.Exec(ctx, "INSERT INTO pgx_events VALUES ($1, $2)", fmt.Sprintf("s%d", i), int32(100+i)); err != nil {
			return nil, err
		}
		if !rows.Next() {
			return nil, fmt.Errorf("stream ended after %d rows: %v", i, rows.Err())
		}
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		got = append(got, vals)
	}
	cancel()
	for rows.Next() {
	}
	rows.Close()
	code := ""
	if pgErr, ok := rows.Err().(*pgconn.PgError); ok {
		code = pgErr.Code
	} else if rows.Err() != nil {
		code = "context"
	}
	// The connection may have been closed by the context cancellation: report whether it is usable.
	usable := !conn.IsClosed()
	return out{"rows": got, "end": code, "usable": usable}, nil
}
