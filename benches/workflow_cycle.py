#!/usr/bin/env python3
"""Submit-and-approve cycles against a running service: each cycle is a draft, three
uploads, submit, accept, the origin report, recommend and approve (9 requests), by a fresh
producer each time so every cycle ends in a new authorization.

    benches/workflow_cycle.py http://127.0.0.1:18300 --cycles 200 --clients 4

Staff are the demo accounts (`gi-registry demo-data`). Prints cycles/s and p50/p99 of a
whole cycle and of each step, in milliseconds.
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse
import uuid

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PASSWORD = "demo-password-2026"


def check_char(first17):
    total, weight = 0, 1
    for c in first17:
        total += ALPHABET.index(c) * weight
        weight = weight * 3 % 31
    return ALPHABET[(31 - total % 31) % 31]


class Client:
    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def call(self, method, path, token=None, body=None, content_type="application/json"):
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = content_type
            if content_type == "application/json":
                body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
        return json.loads(data) if data else None

    def upload(self, token, app_id, kind):
        boundary = uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
        return self.call("POST", f"/api/v1/applications/{app_id}/attachments", token, body,
                         f"multipart/form-data; boundary={boundary}")


def login(client, username):
    return client.call("POST", "/api/v1/auth/login", body={"username": username, "password": PASSWORD})["access_token"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    setup = Client(args.base)
    reviewer, approver = login(setup, "demo.reviewer"), login(setup, "demo.approver")
    run_id = uuid.uuid4().int % 10**6
    producers = []
    for i in range(args.cycles):  # registration and sign-in are not part of the cycle
        first17 = f"91441881MC{run_id % 1000:03d}{i:04d}"
        uscc = first17 + check_char(first17)
        username = f"bench{run_id}x{i}"
        setup.call("POST", "/api/v1/auth/register", body={
            "username": username, "password": PASSWORD,
            "enterprise": {"uscc": uscc, "name": f"英德市压测{i}茶业有限公司", "legal_representative": "测试",
                           "address": "英德市英红镇", "town": "英红镇", "contact_name": "测试",
                           "contact_phone": "0763-2288000", "email": "bench@example.cn"}})
        producers.append(login(setup, username))

    steps = {}
    cycles = []
    lock = threading.Lock()
    queue = list(range(args.cycles))

    def timed(name, fn):
        started = time.perf_counter()
        result = fn()
        with lock:
            steps.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return result

    def worker():
        client = Client(args.base)
        while True:
            with lock:
                if not queue:
                    return
                i = queue.pop()
            token = producers[i]
            started = time.perf_counter()
            app = timed("create", lambda: client.call("POST", "/api/v1/applications", token, {
                "product_code": "yingde-black-tea", "basis": "gi_product", "production_town": "英红镇",
                "production_address": "英德市英红镇茶园路8号"}))
            app_id = app["id"]
            for kind in ("application_form", "business_license", "test_report"):
                timed("upload", lambda: client.upload(token, app_id, kind))
            act = lambda who, action, body: client.call("POST", f"/api/v1/applications/{app_id}/{action}", who, body)
            timed("submit", lambda: act(token, "submit", {}))
            timed("accept", lambda: act(reviewer, "accept", {}))
            timed("upload", lambda: client.upload(reviewer, app_id, "origin_verification_report"))
            timed("recommend", lambda: act(reviewer, "recommend", {}))
            timed("approve", lambda: act(approver, "approve", {"announcement_no": "bench", "announcement_date": "2026-11-27"}))
            with lock:
                cycles.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(args.clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    print(f"| what | count | per s | p50 ms | p99 ms |")
    print(f"|---|---|---|---|---|")
    print(f"| whole cycle (9 requests) | {len(cycles)} | {len(cycles) / elapsed:.1f} | {pct(cycles, 50):.1f} | {pct(cycles, 99):.1f} |")
    for name in ("create", "upload", "submit", "accept", "recommend", "approve"):
        values = steps.get(name, [])
        print(f"| {name} | {len(values)} | {len(values) / elapsed:.1f} | {pct(values, 50):.1f} | {pct(values, 99):.1f} |")


if __name__ == "__main__":
    main()
