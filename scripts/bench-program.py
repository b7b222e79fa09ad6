#!/usr/bin/env python3
"""A program's matching in the app at real sizes. A measurement, not a test.

Generates an organisation of `--mentees` mentees and a quarter as many mentors (the import
benchmark's generator; `--shape` flat, unicode or sparse), imports it with the release binary,
creates a bulk program and enrols everyone with `trellis program enrol`, opens and closes
enrolment, then starts `trellis serve` and, as a program manager in the browser's place:
  - starts a matching run and polls its page until the result is shown (run to first result page);
  - reads the result's first page and a deep page (after the 40,000th pair, say);
  - publishes the run (every pair a mentorship, two notifications a pair, in one transaction);
  - reads the program's pairs page (each pair's numbers, fifty a page) and the page after it.
Meanwhile other clients ask for the anonymous sign-in page and a signed-in directory page every
50 ms; their latency during the run and the publish is printed (p50, p99, slowest), with any
answer that was not 200. Nothing is asserted.

With `--runs N` the manager starts N runs one after another (a re-run costs what the first run
costs), and each is timed; the last is published. Each run's phases (reading, solving, saving…)
are printed from the server's log.

Usage (after `swift build -c release --product trellis`):
    scripts/bench-program.py [--mentees 5000] [--shape flat] [--runs 1] [--postgres URL] [--bin PATH]
"""
import argparse
import importlib.util
import os
import pathlib
import re
import statistics
import subprocess
import tempfile
import threading
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_web", ROOT / "scripts" / "bench-web.py")
bench_web = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_web)
bench_import = bench_web.bench_import


def percentile(values, share):
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentees", type=int, default=5_000)
    parser.add_argument("--shape", default="flat")
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "trellis"))
    parser.add_argument("--postgres", default=None, help="a throwaway database URL (its public schema is dropped)")
    parser.add_argument("--runs", type=int, default=1, help="matching runs one after another (re-runs), the last one published")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    people_count = args.mentees + args.mentees // 4
    work = pathlib.Path(tempfile.mkdtemp(prefix="trellis-bench-program-"))
    env = dict(os.environ, TRELLIS_BCRYPT_COST="8")
    database = bench_web.use_database(args, work, env)
    people = work / "people.csv"
    bench_import.generate(people, people_count, args.shape, seed=23)
    bench_web.migrate_with_admin(args.bin, env)
    setup = {}
    setup["import"] = bench_import.timed([args.bin, "import", "people", str(people)], env)
    enrol = work / "enrol.csv"
    with open(people, encoding="utf-8") as source, open(enrol, "w", encoding="utf-8") as out:
        out.write("email,role,capacity\n")
        next(source)
        for line in source:
            email, _, role = line.split(",", 3)[:3]
            out.write(f"{email},{role},\n")
    subprocess.run([args.bin, "program", "create", "--name", "Bench", "--exclude-same-department"], env=env, check=True, capture_output=True)
    setup["enrol"] = bench_import.timed([args.bin, "program", "enrol", "Bench", str(enrol)], env)
    for state in ("enrolling", "matching"):
        subprocess.run([args.bin, "program", "state", "Bench", state], env=env, check=True, capture_output=True)
    listing = subprocess.run([args.bin, "program", "list"], env=env, check=True, capture_output=True, text=True).stdout
    program = re.search(r"^([0-9A-F-]{36})\s", listing, re.M).group(1)

    port = bench_web.free_port()
    base = f"http://127.0.0.1:{port}"
    server = bench_web.serve(args.bin, env, port, work / "server.log")
    try:
        def signed_in():
            session = requests.Session()
            session.get(base + "/sign-in")
            session.post(base + "/sign-in", data={"email": "admin@example.org", "password": "benchmark password", "next": "/", "csrf": session.cookies["trellis_csrf"]})
            return session

        admin, other = signed_in(), signed_in()
        phase = ["idle"]
        latencies = {}
        failures = []
        slow = []  # (path, phase, seconds after the last run started, ms)
        run_started = [time.perf_counter()]
        stop = threading.Event()

        def probe(path, session):
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    status = (session or requests).get(base + path, timeout=120).status_code
                except requests.RequestException as error:
                    status = str(error)
                elapsed = (time.perf_counter() - started) * 1000
                latencies.setdefault((path, phase[0]), []).append(elapsed)
                if elapsed > 200:
                    slow.append((path, phase[0], round(started - run_started[0], 2), round(elapsed)))
                if status != 200:
                    failures.append((path, phase[0], status, round(elapsed)))
                time.sleep(0.05)

        probes = [threading.Thread(target=probe, args=("/sign-in", None)), threading.Thread(target=probe, args=("/people", other))]
        for thread in probes:
            thread.start()
        time.sleep(1)
        timings = {}
        for number in range(1, args.runs + 1):
            phase[0] = "run"
            started = time.perf_counter()
            run_started[0] = started
            response = admin.post(base + f"/admin/programs/{program}/runs", data={"csrf": admin.cookies["trellis_csrf"]}, allow_redirects=False)
            run_path = response.headers["Location"]
            while True:
                page = admin.get(base + run_path)
                if "<h2 id=\"totals-heading\">Result</h2>" in page.text or "This run failed" in page.text:
                    break
                time.sleep(0.1)
            label = "run to first result page" if args.runs == 1 else f"run {number} to first result page"
            timings[label] = time.perf_counter() - started
            if "This run failed" in page.text:
                raise SystemExit(page.text[:3000])
            phase[0] = "between"
            time.sleep(1)
        matched = re.search(r'<div class="stat">([\d,]+)</div><p class="muted">of ([\d,]+) mentees matched', page.text)
        phase[0] = "pages"
        for label, path in (("result page", run_path), ("weakest pairs page", run_path + "?order=weakest"),
                            ("page after the 40,000th pair", run_path + "?after=40000"), ("unmatched page", run_path + "?show=unmatched")):
            started = time.perf_counter()
            admin.get(base + path)
            timings[label] = time.perf_counter() - started
        phase[0] = "publish"
        started = time.perf_counter()
        published = admin.post(base + run_path + "/publish", data={"csrf": admin.cookies["trellis_csrf"]})
        timings["publish"] = time.perf_counter() - started
        if "Published" not in published.text:
            raise SystemExit(published.text[:3000])
        # The program's pairs page for its managers (numbers per pair, fifty a page): the first page
        # and the one after it, each the median of five reads.
        phase[0] = "pairs"
        pairs_path = f"/admin/programs/{program}/pairs"
        first = admin.get(base + pairs_path)
        following = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first.text)
        for label, path in (("pairs page (managers' numbers), first", pairs_path),
                            ("pairs page, the next", following.group(1).replace("&amp;", "&") if following else pairs_path)):
            reads = []
            for _ in range(5):
                started = time.perf_counter()
                answer = admin.get(base + path)
                reads.append(time.perf_counter() - started)
                if answer.status_code != 200 or "<tbody>" not in answer.text:
                    raise SystemExit(f"{path}: {answer.status_code} {answer.text[:2000]}")
            timings[label] = statistics.median(reads)
        phase[0] = "idle"
        time.sleep(1)
        stop.set()
        for thread in probes:
            thread.join()
    finally:
        server.terminate()
        server.wait()

    print(f"\n{database}, {args.shape}: {args.mentees:,} mentees and {args.mentees // 4:,} mentors enrolled "
          f"({matched.group(1) if matched else '?'} matched)\n")
    print(f"Setup: import {setup['import']:.1f} s, enrolment from CSV {setup['enrol']:.1f} s\n")
    # Each run's phases, from the server's log line.
    for line in (work / "server.log").read_text(errors="replace").splitlines():
        if "Matching run" in line:
            print("    " + line.split("Matching run", 1)[1].split(": ", 1)[-1])
    print()
    print("| Step | Seconds |")
    print("|---|---:|")
    for label, seconds in timings.items():
        print(f"| {label} | {seconds:.3f} |")
    print("\n| Other clients' page | During | Requests | p50 ms | p99 ms | Slowest ms |")
    print("|---|---|---:|---:|---:|---:|")
    for (path, during), values in sorted(latencies.items()):
        if during in ("run", "publish", "idle"):
            print(f"| {path} | {during} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.99):.1f} | {max(values):.1f} |")
    if failures:
        print("\nAnswers other than 200:", failures[:20])
    if slow:
        print(f"\nAnswers slower than 200 ms ({len(slow)}; path, during, seconds after the run started, ms):", slow[:20])


if __name__ == "__main__":
    main()
