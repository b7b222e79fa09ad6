#!/usr/bin/env python3
"""Web benchmark: every signed-in page and API endpoint at the size of a large organisation.

Generates an organisation (`--people`, default 50,000; not the demo), imports it with the release
binary, starts `trellis serve`, signs in as a program manager and as a participant, creates an API
token, and drives each route with wrk on loopback for a bounded time (`--seconds`), with
`--connections` clients. The same binary's bare route (`/healthz`) runs first, for scale. Then the
people export is downloaded and timed. Prints a Markdown table; nothing is asserted.

Usage (after `swift build -c release --product trellis`; wrk from Debian):
    scripts/bench-web.py [--people 50000] [--seconds 5] [--connections 32] [--postgres URL]

With `--against OTHER_BINARY`, a baseline build serves the same database beside this one and each
route is measured on the two in turn (`--rounds` times each): the medians and their ratio are
printed. This machine's throughput drifts by 10-40 % between runs minutes apart, so a change is
judged by such a side-by-side ratio, not by two tables made at different times.
"""
import argparse
import http.cookiejar
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
import importlib.util

_spec = importlib.util.spec_from_file_location("bench_import", ROOT / "scripts" / "bench-import.py")
bench_import = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_import)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """A browser-like client: cookies, and the CSRF token in every form."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def get(self, path):
        return self.opener.open(self.base + path, timeout=60).read().decode()

    def post(self, path, fields):
        if not self.cookie("trellis_csrf"):
            self.get("/sign-in")
        data = urllib.parse.urlencode(list(fields) + [("csrf", self.cookie("trellis_csrf"))]).encode()
        return self.opener.open(self.base + path, data=data, timeout=60).read().decode()

    def header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def use_database(args, work, env):
    """Points `env` at a fresh database (`--postgres URL`, emptied, or an SQLite file in `work`); its name."""
    if args.postgres:
        bench_import.reset_postgres(args.postgres)
        env["DATABASE_URL"] = args.postgres
        return "PostgreSQL"
    env["DATABASE_URL"] = str(work / "trellis.sqlite")
    return "SQLite"


def migrate_with_admin(binary, env):
    """Migrates the database and creates the program manager every benchmark signs in as."""
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([binary, "create-admin", "--email", "admin@example.org", "--name", "Bench Admin", "--password", "benchmark password"],
                   env=env, check=True, capture_output=True)


def serve(binary, env, port, log_path):
    """Starts `binary serve` on `port` (logging to `log_path`) and waits until it answers."""
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([binary, "serve"], env=dict(env, PORT=str(port), TRELLIS_BASE_URL=base),
                               stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    return process


def wrk(url, seconds, connections, headers):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        match = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, ms("50%"), ms("99%"), int(non2xx.group(1)) if non2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=1, help="seconds of load on each route before it is measured (connections prepared, caches and plans settled)")
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "trellis"))
    parser.add_argument("--postgres", default=None, help="a throwaway database URL (its public schema is dropped)")
    parser.add_argument("--only", default=None, help="run only the routes whose name contains one of these comma-separated texts (the bare route always runs)")
    parser.add_argument("--against", default=None, help="another build of trellis (a baseline): served on the same database beside --bin, each route is measured on the two in turn, --rounds times each, and the medians and their ratio printed")
    parser.add_argument("--rounds", type=int, default=5, help="with --against: how many times each route is measured on each binary, alternately")
    parser.add_argument("--hold", action="store_true", help="after setting up, print each route's URL and headers as wrk commands and keep the server running until interrupted (to profile one route by hand)")
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="trellis-bench-web-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PORT=str(port), TRELLIS_BASE_URL=base, TRELLIS_BCRYPT_COST="10")
    database = use_database(args, work, env)
    server = None
    baseline = None
    try:
        people = work / "people.csv"
        bench_import.generate(people, args.people, "flat", seed=11)
        migrate_with_admin(args.bin, env)
        started = time.perf_counter()
        subprocess.run([args.bin, "import", "people", str(people)], env=env, check=True, capture_output=True)
        import_seconds = time.perf_counter() - started
        server = serve(args.bin, env, port, work / "server.log")
        admin = Session(base)
        admin.post("/sign-in", [("email", "admin@example.org"), ("password", "benchmark password"), ("next", "/")])
        # A participant with a password, through an invitation link as a person would.
        page = admin.get("/admin/people?q=p1234%40example.org")
        person_id = re.search(r'/people/([0-9A-F-]{36})', page).group(1)
        link = re.search(r'id="created-link"[^>]*>([^<]+)<', admin.post(f"/admin/people/{person_id}/invite", [])).group(1)
        participant = Session(base)
        participant.post(urllib.parse.urlparse(link).path, [("password", "participant password"), ("password_confirmation", "participant password")])
        token_page = participant.post("/settings/tokens", [("token_name", "bench")])
        token = re.search(r"trl_[A-Za-z0-9_-]+", token_page).group(0)
        other_id = re.search(r'/people/([0-9A-F-]{36})', admin.get("/admin/people?q=p4321%40example.org")).group(1)

        def next_link(session, path):
            """The Next link of a page, as a person paging through would follow it."""
            html = session.get(path)
            return re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")

        directory_deep = next_link(participant, "/people?page=999")
        admin_deep = next_link(admin, "/admin/people?page=899")
        routes = [
            ("bare route (scale)", "/healthz", {}),
            ("dashboard (admin)", "/", {"Cookie": admin.header()}),
            ("dashboard (participant)", "/", {"Cookie": participant.header()}),
            ("directory", "/people", {"Cookie": participant.header()}),
            ("directory, page 1,000 (its link on page 999)", directory_deep, {"Cookie": participant.header()}),
            ("directory, page 1,000 (typed)", "/people?page=1000", {"Cookie": participant.header()}),
            ("directory, search a skill", "/people?q=skill+42", {"Cookie": participant.header()}),
            ("directory, search a name", "/people?q=person4321", {"Cookie": participant.header()}),
            ("directory, search a first name (thousands match)", "/people?q=cleo", {"Cookie": participant.header()}),
            ("directory, search a word everyone has", "/people?q=skill", {"Cookie": participant.header()}),
            ("directory, search a family name everyone has", "/people?q=person", {"Cookie": participant.header()}),
            ("directory, search a skill, mentors only", "/people?q=skill+42&role=mentor", {"Cookie": participant.header()}),
            ("directory, mentors of a skill", "/people?role=mentor&tag=Skill+7", {"Cookie": participant.header()}),
            ("directory, department filter", "/people?department=Department+17", {"Cookie": participant.header()}),
            ("profile", f"/people/{other_id}", {"Cookie": participant.header()}),
            ("profile edit form", f"/people/{person_id}/edit", {"Cookie": participant.header()}),
            ("tag suggestions", "/tags/suggest?kind=expertise&prefix=sk", {"Cookie": participant.header()}),
            ("settings", "/settings", {"Cookie": participant.header()}),
            ("admin people", "/admin/people", {"Cookie": admin.header()}),
            ("admin people, search", "/admin/people?q=person4321", {"Cookie": admin.header()}),
            ("admin people, page 900 (its link on page 899)", admin_deep, {"Cookie": admin.header()}),
            ("admin people, page 900 (typed)", "/admin/people?page=900", {"Cookie": admin.header()}),
            ("audit log", "/admin/audit", {"Cookie": admin.header()}),
            ("import form", "/admin/import", {"Cookie": admin.header()}),
            ("API me", "/api/v1/me", {"Authorization": f"Bearer {token}"}),
            ("API my profile", "/api/v1/me/profile", {"Authorization": f"Bearer {token}"}),
            ("API directory", "/api/v1/people", {"Authorization": f"Bearer {token}"}),
            ("API directory search", "/api/v1/people?q=skill+42", {"Authorization": f"Bearer {token}"}),
            ("API person", f"/api/v1/people/{other_id}", {"Authorization": f"Bearer {token}"}),
            ("API tags", "/api/v1/tags?kind=interests", {"Authorization": f"Bearer {token}"}),
            ("OpenAPI document", "/api/v1/openapi.json", {}),
        ]
        if args.hold:
            for name, path, headers in routes:
                options = " ".join(f"-H '{key}: {value}'" for key, value in headers.items())
                print(f"# {name}\nwrk -t2 -c{args.connections} -d5s {options} '{base + path}'", flush=True)
            print("holding; interrupt to stop", flush=True)
            try:
                server.wait()
            except KeyboardInterrupt:
                pass
            return
        if args.against:
            # The baseline serves the same database (sessions and tokens live there, so the same
            # cookies work); the two are measured in turn, so both see the same machine.
            other_port = free_port()
            other_base = f"http://127.0.0.1:{other_port}"
            baseline = serve(args.against, env, other_port, work / "baseline.log")
            compare(routes, args, base, other_base, database)
            return
        print(f"{args.people:,} people on {database}; import took {import_seconds:.1f} s. wrk: {args.connections} connections, {args.seconds} s per route after {args.warmup} s of warm-up, loopback.")
        print()
        print("| route | requests/s | ratio to bare route | p50 ms | p99 ms | non-2xx |")
        print("|---|---|---|---|---|---|")
        bare = None
        for name, path, headers in routes:
            if args.only and bare and not any(part in name for part in args.only.split(",")):
                continue
            if args.warmup > 0:
                wrk(base + path, args.warmup, args.connections, headers)
            rps, p50, p99, bad = wrk(base + path, args.seconds, args.connections, headers)
            bare = bare or rps
            print(f"| {name} | {rps:,.0f} | {rps / bare:.3f} | {p50:.1f} | {p99:.1f} | {bad} |", flush=True)
        request = urllib.request.Request(base + "/admin/export/people.csv", headers={"Cookie": admin.header()})
        started = time.perf_counter()
        body = urllib.request.urlopen(request, timeout=120).read()
        print(f"\nExport of {args.people:,} people: {time.perf_counter() - started:.2f} s, {len(body) / 1e6:.1f} MB")
    finally:
        for process in [server, baseline]:
            if process:
                process.terminate()
                process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


def compare(routes, args, base, other_base, database):
    """Each route on this build and on the baseline in turn, `--rounds` times; medians and ratio."""
    print(f"{args.people:,} people on {database}. {pathlib.Path(args.bin).name} against {pathlib.Path(args.against).name} on the same database: "
          f"each route {args.rounds} times on each, in turn, {args.seconds} s a time after {args.warmup} s of warm-up each; wrk, {args.connections} connections, loopback.")
    print()
    print("| route | this build: requests/s (median) | baseline: requests/s (median) | ratio |")
    print("|---|---|---|---|")
    first = True
    for name, path, headers in routes:
        if args.only and not first and not any(part in name for part in args.only.split(",")):
            continue
        first = False
        if args.warmup > 0:
            for server in (base, other_base):
                wrk(server + path, args.warmup, args.connections, headers)
        ours, theirs = [], []
        for index in range(args.rounds):
            # Alternately first, so neither always runs on a machine the other just warmed.
            for server, results in ([(base, ours), (other_base, theirs)] if index % 2 == 0 else [(other_base, theirs), (base, ours)]):
                results.append(wrk(server + path, args.seconds, args.connections, headers)[0])
        mine, baseline = statistics.median(ours), statistics.median(theirs)
        print(f"| {name} | {mine:,.0f} | {baseline:,.0f} | {mine / baseline:.2f} |", flush=True)


if __name__ == "__main__":
    main()
