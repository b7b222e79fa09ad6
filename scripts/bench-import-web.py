#!/usr/bin/env python3
"""Does a large import through the web leave other people's pages alone? A measurement, not a test.

Generates an organisation (`--people`, default 50,000; the benchmark's flat shape, or `--shape`),
starts the release binary on a fresh SQLite file (or `--postgres URL`), signs in as a program
manager, uploads the file for a preview and confirms it, and meanwhile asks for the anonymous
sign-in page and the bare route every 50 ms from other clients. Prints how long the preview and
the import took and the sign-in page's latency during each (p50, p99, slowest), and any answer
that was not 200. Nothing is asserted.

Usage (after `swift build -c release --product trellis`):
    scripts/bench-import-web.py [--people 50000] [--shape flat] [--postgres URL] [--bin PATH]
"""
import argparse
import importlib.util
import os
import pathlib
import tempfile
import threading
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_web", ROOT / "scripts" / "bench-web.py")
bench_web = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_web)
bench_import = bench_web.bench_import


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--shape", default="flat")
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "trellis"))
    parser.add_argument("--postgres", default=None, help="a throwaway database URL (its public schema is dropped)")
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="trellis-bench-import-web-"))
    port = bench_web.free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, TRELLIS_BCRYPT_COST="8")
    database = bench_web.use_database(args, work, env)
    people = work / "people.csv"
    bench_import.generate(people, args.people, args.shape, seed=11)
    bench_web.migrate_with_admin(args.bin, env)
    server = bench_web.serve(args.bin, env, port, work / "server.log")
    try:
        admin = requests.Session()
        admin.get(base + "/sign-in")
        admin.post(base + "/sign-in", data={"email": "admin@example.org", "password": "benchmark password", "next": "/", "csrf": admin.cookies["trellis_csrf"]})
        admin.get(base + "/admin/import")
        phase = ["preview"]
        latencies = {"preview": [], "import": []}
        failures = []
        stop = threading.Event()

        def probe(path, record):
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    status = requests.get(base + path, timeout=60).status_code
                except requests.RequestException as error:
                    status = str(error)
                elapsed = (time.perf_counter() - started) * 1000
                if record:
                    latencies[phase[0]].append(elapsed)
                if status != 200:
                    failures.append((path, phase[0], status, round(elapsed)))
                time.sleep(0.05)

        probes = [threading.Thread(target=probe, args=("/sign-in", True)), threading.Thread(target=probe, args=("/healthz", False))]
        for thread in probes:
            thread.start()
        started = time.perf_counter()
        with open(people, "rb") as file:
            preview = admin.post(base + "/admin/import/preview", data={"csrf": admin.cookies["trellis_csrf"]}, files={"file": ("people.csv", file, "text/csv")})
        preview_seconds = time.perf_counter() - started
        job = preview.text.split('name="job" value="', 1)[1].split('"', 1)[0]
        phase[0] = "import"
        started = time.perf_counter()
        admin.post(base + "/admin/import/confirm", data={"csrf": admin.cookies["trellis_csrf"], "job": job})
        deadline = time.perf_counter() + 1800
        while True:
            page = admin.get(base + f"/admin/import/jobs/{job}").text
            if "Import complete" in page:
                break
            if "Nothing was imported" in page or time.perf_counter() > deadline:
                stop.set()
                raise SystemExit("the import did not complete:\n" + page[-2000:])
            time.sleep(0.5)
        import_seconds = time.perf_counter() - started
        stop.set()
        for thread in probes:
            thread.join()
        print(f"{args.people:,} people ({args.shape}) through the web on {database}: preview {preview_seconds:.1f} s, import {import_seconds:.1f} s")
        for name, values in latencies.items():
            values.sort()
            if values:
                print(f"sign-in page during the {name}: {len(values)} requests, p50 {values[len(values) // 2]:.1f} ms, "
                      f"p99 {values[int(len(values) * 0.99)]:.1f} ms, slowest {values[-1]:.1f} ms")
        print("answers other than 200:", failures or "none")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
