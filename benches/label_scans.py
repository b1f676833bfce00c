#!/usr/bin/env python3
"""Sends exactly N label checks (GET <random line of PATHS>) over CONNS keep-alive connections,
for the exactness check in benches/labels.sh: after a clean stop the stored scans must have
grown by exactly N. Prints one line:

    SENT requests=.. ok=.. other=.. seconds=..

    label_scans.py http://127.0.0.1:PORT paths.txt N [--conns 64]

Standard library only.
"""
import argparse
import http.client
import random
import threading
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("paths")
    ap.add_argument("n", type=int)
    ap.add_argument("--conns", type=int, default=64)
    args = ap.parse_args()
    paths = [line.strip() for line in open(args.paths) if line.strip()]
    url = urllib.parse.urlsplit(args.base)
    lock = threading.Lock()
    left = [args.n]
    counts = {"ok": 0, "other": 0}

    def worker():
        rng = random.Random()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        ok = other = 0
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            conn.request("GET", rng.choice(paths))
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                other += 1
        conn.close()
        with lock:
            counts["ok"] += ok
            counts["other"] += other

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"SENT requests={args.n} ok={counts['ok']} other={counts['other']} "
          f"seconds={time.monotonic() - started:.1f}")


if __name__ == "__main__":
    main()
