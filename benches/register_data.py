#!/usr/bin/env python3
"""Draws the request lines for benches/register.sh from the demo data itself.

    register_data.py OUT_DIR --sqlite PATH/gi-registry.db
    register_data.py OUT_DIR --postgres postgres://postgres@127.0.0.1:5432/gi_bench_100k

Writes one URL path per line (query already percent-encoded), for benches/register.lua:
  healthz.txt  /healthz
  verify.txt   /api/v1/public/verify/<code>: every credit code that holds a right (any status),
               plus ~10 % more: half codes of enterprises that hold none (404 as well: a registration without
               a right is not in the public register), half well-formed codes
               (right check character) that never existed (these answer 404)
  search.txt   /api/v1/public/authorized-users?q=<fragment>: random 1- and 2-character substrings
               of real enterprise names (~47 % each), a word with no match (无此企业, ~2 %) and
               prefixes of real registry numbers such as YDGI-2025-00 (~5 %)
  home.txt     / (half the lines) and /?q=<fragment> from the same fragments
  goal.txt     /api/v1/public/goal
  rights.txt   ids of up to 5,000 active rights, for the writer (benches/register_writer.py)
and prints a one-line summary. Standard library only (PostgreSQL is read through psql).
"""
import argparse
import os
import random
import sqlite3
import subprocess
import urllib.parse

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def check_character(first17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def query_sqlite(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return lambda sql: [row[0] for row in con.execute(sql)]


def query_postgres(url):
    def run(sql):
        out = subprocess.run(["psql", url, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line for line in out.split("\n") if line != ""]
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--sqlite")
    group.add_argument("--postgres")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--fragments", type=int, default=3000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    q = query_sqlite(args.sqlite) if args.sqlite else query_postgres(args.postgres)

    holders = q("SELECT DISTINCT e.uscc FROM enterprises e JOIN authorizations a ON a.enterprise_id = e.id")
    without = q("SELECT uscc FROM enterprises WHERE id NOT IN (SELECT enterprise_id FROM authorizations)")
    existing = set(q("SELECT uscc FROM enterprises"))
    names = q("SELECT name FROM enterprises")
    registry_nos = q("SELECT registry_no FROM authorizations")
    rights = q("SELECT id FROM authorizations WHERE status = 'active'")

    extra = max(1, len(holders) // 9)  # extras are 10 % of all verify lines
    missing = []
    while len(missing) < extra - extra // 2:
        first17 = "92441881MB" + "".join(rng.choice(ALPHABET) for _ in range(7))
        code = first17 + check_character(first17)
        if code not in existing:
            missing.append(code)
    no_right = [rng.choice(without) for _ in range(extra // 2)] if without else []
    codes = holders + no_right + missing
    rng.shuffle(codes)

    fragments = []
    per_len = args.fragments * 47 // 100
    for length in (1, 2):
        while sum(1 for f in fragments if len(f) == length) < per_len:
            name = rng.choice(names)
            if len(name) >= length:
                start = rng.randrange(len(name) - length + 1)
                fragments.append(name[start:start + length])
    fragments += ["无此企业"] * (args.fragments * 2 // 100)
    for _ in range(args.fragments * 5 // 100):
        number = rng.choice(registry_nos)
        fragments.append(number[:rng.randint(9, min(13, len(number)))])  # YDGI-2025 .. YDGI-2025-001
    rng.shuffle(fragments)
    encoded = [urllib.parse.quote(f, safe="") for f in fragments]

    def write(name, lines):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    os.makedirs(args.out, exist_ok=True)
    write("healthz.txt", ["/healthz"])
    write("verify.txt", ["/api/v1/public/verify/" + c for c in codes])
    write("search.txt", ["/api/v1/public/authorized-users?q=" + e for e in encoded])
    write("home.txt", [p for e in encoded for p in ("/", "/?q=" + e)])
    write("goal.txt", ["/api/v1/public/goal"])
    rng.shuffle(rights)
    write("rights.txt", rights[:5000])
    print(f"{len(existing)} enterprises; verify: {len(holders)} codes with a right + {len(no_right)} without"
          f" + {len(missing)} never existing; search: {len(fragments)} fragments; {len(rights)} active rights")


if __name__ == "__main__":
    main()
