#!/usr/bin/env python3
"""One 1,000-line bulk verify against a running (release) service, timed.

    benches/bulk_verify.py http://127.0.0.1:18300 --runs 50

The codes are the register's own (read from the open-data CSV, every status), credit codes
and registry numbers mixed with codes no right was granted to, 1,000 lines in all. Prints
p50, p99 and the slowest of `--runs` requests in milliseconds, and checks each answer has one
line per code in input order.
"""
import argparse
import http.client
import statistics
import time
import urllib.parse


def fetch(base, method, path, body=None, headers=None):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def register_codes(base):
    codes = []
    for status in ["active", "suspended", "revoked", "surrendered"]:
        status_code, data = fetch(base, "GET", f"/api/v1/public/authorized-users.csv?status={status}")
        assert status_code == 200, status_code
        lines = data.decode("utf-8-sig").splitlines()[1:]
        for line in lines:
            fields = line.split(",")
            if len(fields) > 6:
                # The name may hold a comma in quotes; the credit code and number do not.
                codes.append(fields[-10])
                codes.append(fields[-5])
    return codes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()
    known = register_codes(args.base)
    unknown = [f"YDGI-1999-{i:04d}" for i in range(args.lines)]
    codes = []
    for i in range(args.lines):
        pool = known if known and i % 4 else unknown
        codes.append(pool[(i * 7919) % len(pool)])
    body = ("\r\n".join(codes) + "\r\n").encode()
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        status, data = fetch(
            args.base, "POST", "/api/v1/public/bulk-verify", body, {"Content-Type": "text/csv"}
        )
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (status, data[:200])
        lines = data.decode("utf-8-sig").split("\r\n")[1:-1]
        assert len(lines) == len(codes), len(lines)
        assert all(l.split(",")[0] == c for l, c in zip(lines, codes)), "input order"
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    known = set(known)
    found = sum(1 for c in codes if c in known)
    print(
        f"{args.lines} lines ({found} of the register), {args.runs} runs: "
        f"p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms, "
        f"{len(body)} bytes in"
    )


if __name__ == "__main__":
    main()
