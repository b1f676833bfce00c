#!/usr/bin/env python3
"""Copies a gi-registry SQLite database (made by `gi-registry demo-data`) into a PostgreSQL
database migrated by the same binary, row for row, so both benchmarks run on identical data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gi_bench_100k target/release/gi-registry migrate
    benches/sqlite_to_postgres.py /work/bench-data/sqlite-100k/gi-registry.db \
        postgres://postgres@127.0.0.1:5432/gi_bench_100k

Why: `demo-data` on PostgreSQL makes one round trip per statement (about 15 minutes for
100,000 enterprises on an idle machine, over an hour beside other work); COPY takes a minute.
The journal's hash chain is copied as it is, so `gi-registry verify-journal` still holds.
Every table of the target is emptied first (the seeded reference data too), foreign-key
triggers are off during the load (session_replication_role = replica), then ANALYZE and
VACUUM so the planner and index-only scans see the data. Standard library and psql only.
"""
import sqlite3
import subprocess
import sys


def literal(value):
    if value is None:
        return "\\N"
    if isinstance(value, bytes):
        return '"\\x' + value.hex() + '"'
    return '"' + str(value).replace('"', '""') + '"'


def main():
    source, url = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> '__diesel_schema_migrations' ORDER BY name")]
    psql = subprocess.Popen(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1"],
                            stdin=subprocess.PIPE, text=True, encoding="utf-8")
    out = psql.stdin
    out.write("SET session_replication_role = replica;\n")
    out.write("TRUNCATE " + ", ".join(tables) + " CASCADE;\n")
    for table in tables:
        columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        out.write(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N');\n")
        rows = 0
        for row in con.execute(f"SELECT {', '.join(columns)} FROM {table}"):
            out.write(",".join(literal(v) for v in row) + "\n")
            rows += 1
        out.write("\\.\n")
        print(f"{table}: {rows} rows", file=sys.stderr)
    out.write("SET session_replication_role = origin;\nANALYZE;\n")
    out.close()
    if psql.wait() != 0:
        sys.exit("psql failed")
    subprocess.run(["psql", url, "-X", "-q", "-c", "VACUUM"], check=True)


if __name__ == "__main__":
    main()
