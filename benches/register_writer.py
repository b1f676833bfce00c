#!/usr/bin/env python3
"""The writer beside the readers in benches/register.sh: signed in as the demo reviewer, it
changes one right every INTERVAL seconds, alternately suspending a random active right and
reinstating it again (POST /api/v1/authorizations/{id}/suspend, then /reinstate), until
SIGTERM. Then it reinstates what it left suspended and prints one line:

    WRITER changes=.. failed=.. seconds=.. per_s=.. p50_ms=.. max_ms=..

    register_writer.py http://127.0.0.1:PORT rights.txt [--interval 0.1]

Standard library only. `changes` counts the 200 answers; `failed` everything else.
"""
import argparse
import json
import random
import signal
import statistics
import sys
import time
import urllib.error
import urllib.request

stop = False


def on_term(*_):
    global stop
    stop = True


def post(base, path, body, token=None):
    data = json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="POST",
                                 headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return 0, str(e).encode()


def login(base, username, password):
    status, body = post(base, "/api/v1/auth/login", {"username": username, "password": password})
    if status != 200:
        sys.exit(f"writer: login as {username} answered {status}: {body[:200]!r}")
    return json.loads(body)["access_token"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("rights")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--username", default="demo.reviewer")
    ap.add_argument("--password", default="demo-password-2026")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    rights = [line.strip() for line in open(args.rights) if line.strip()]
    rng = random.Random()
    token = login(args.base, args.username, args.password)

    changes = failed = 0
    latencies = []
    suspended = None  # the right this writer suspended and must reinstate next
    started = time.monotonic()
    tick = started

    def change():
        nonlocal token, changes, failed, suspended
        right = suspended or rng.choice(rights)
        action = "reinstate" if suspended else "suspend"
        body = {} if suspended else {"reason": "benches/register.sh: a right changes while the public reads"}
        t0 = time.monotonic()
        status, _ = post(args.base, f"/api/v1/authorizations/{right}/{action}", body, token)
        if status == 401:  # the token expired: sign in again and retry once
            token = login(args.base, args.username, args.password)
            status, _ = post(args.base, f"/api/v1/authorizations/{right}/{action}", body, token)
        latencies.append((time.monotonic() - t0) * 1000)
        if status == 200:
            changes += 1
            suspended = right if action == "suspend" else None
        else:
            failed += 1
            if action == "reinstate" and status == 409:
                suspended = None  # someone else changed it; do not loop on it
            print(f"writer: {action} {right} answered {status}", file=sys.stderr)

    while not stop:
        change()
        tick += args.interval
        pause = tick - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            tick = time.monotonic()  # behind schedule: go on at once, do not burst to catch up
    seconds = time.monotonic() - started
    if suspended:  # leave the data as it was found
        change()
    lat = sorted(latencies) or [0.0]
    print(f"WRITER changes={changes} failed={failed} seconds={seconds:.1f} per_s={changes / seconds:.1f}"
          f" p50_ms={statistics.median(lat):.1f} max_ms={lat[-1]:.1f}", flush=True)


if __name__ == "__main__":
    main()
