#!/usr/bin/env python3
"""Measures `trellis import people` on generated files of several shapes, each beside a baseline
run in the same session: the database's own bulk loader reading the same file into a bare table
(sqlite3's `.import`, or PostgreSQL's `\\copy`). The ratio says how much Trellis adds to the cost of
merely getting those bytes into the database.

Usage (after `swift build -c release --product trellis`):
    scripts/bench-import.py [--rows 100000] [--bin .build/release/trellis] [--postgres URL]
                            [--shapes flat,unicode,chain]

Shapes (none of them the demo organisation, none tuned on):
  flat     departments of 200 under one head each, 3-8 skills per list, ASCII
  unicode  the same with non-ASCII names and tags (Polish, Spanish, Chinese), longer lists
  sparse   an HR system's export: ASCII, 1-2 languages, 1-4 skills, 0-3 interests, 0-2 values
  chain    one reporting chain as deep as the file (the case that used to be quadratic),
           measured as a dry run (checks only) at the full size and at half the size
"""
import argparse
import csv
import os
import pathlib
import random
import shutil
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLUMNS = ["email", "name", "role", "department", "manager_email", "timezone", "languages", "expertise",
           "development_areas", "interests", "values", "capacity", "meeting_frequency", "years_experience"]
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Sao_Paulo", "Asia/Tokyo", "Asia/Kolkata",
         "Africa/Nairobi", "Australia/Sydney", "America/Chicago", "Europe/Warsaw"]


def generate(path, rows, shape, seed=7):
    rng = random.Random(seed)
    if shape == "unicode":
        first = ["Zoë", "Łukasz", "Iñés", "Søren", "李", "Ngozi", "José", "Ánh", "Małgorzata", "Øyvind"]
        skills = [f"Négociation {i}" for i in range(60)] + [f"数据 {i}" for i in range(60)] + [f"Programación {i}" for i in range(80)]
        lists = (5, 12)
    else:
        first = ["Ada", "Bob", "Cleo", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon"]
        skills = [f"Skill {i}" for i in range(200)]
        lists = (3, 8)
    if shape == "sparse":
        first = ["Ada", "Bob", "Cleo", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon"]
        skills = [f"Skill {i}" for i in range(400)]
        lists = (1, 4)
    interests = [f"Interest {i}" for i in range(60)]
    counts = {"languages": (1, 2), "interests": (0, 3), "values": (0, 2)} if shape == "sparse" else \
        {"languages": (1, 3), "interests": (2, 6), "values": (1, 4)}
    values = [f"Value {i}" for i in range(24)]
    languages = ["English", "French", "Spanish", "German", "Polish", "Chinese", "Hindi", "Swahili"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for i in range(rows):
            role = "mentor" if i % 5 == 0 else "mentee"
            if shape == "chain":
                manager = f"p{i - 1}@example.org" if i > 0 else ""
            else:
                head = (i // 200) * 200
                manager = "" if i == head else f"p{head}@example.org"
            out.writerow([
                f"p{i}@example.org", f"{rng.choice(first)} Person{i}", role, f"Department {i // 200}", manager,
                rng.choice(ZONES), ";".join(rng.sample(languages, rng.randint(*counts["languages"]))),
                ";".join(rng.sample(skills, rng.randint(*lists))) if role == "mentor" else "",
                ";".join(rng.sample(skills, rng.randint(*lists))) if role == "mentee" else "",
                ";".join(rng.sample(interests, rng.randint(*counts["interests"]))), ";".join(rng.sample(values, rng.randint(*counts["values"]))),
                str(rng.randint(1, 3)) if role == "mentor" else "", rng.choice(["weekly", "biweekly", "monthly", "as-needed"]),
                str(rng.randint(0, 40)),
            ])


def timed(command, env=None):
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed


def reset_postgres(url):
    subprocess.run(["psql", url, "-q", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=True, capture_output=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "trellis"))
    parser.add_argument("--postgres", default=None, help="a throwaway database URL (its public schema is dropped)")
    parser.add_argument("--shapes", default="flat,unicode,sparse,chain")
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="trellis-bench-import-"))
    rows = []
    try:
        for shape in args.shapes.split(","):
            file = work / f"{shape}.csv"
            generate(file, args.rows, shape)
            size = file.stat().st_size / 1e6
            if shape == "chain":
                half = work / "chain-half.csv"
                generate(half, args.rows // 2, "chain")
                env = dict(os.environ, DATABASE_URL=str(work / "chain.sqlite"))
                timed([args.bin, "migrate"], env)
                full_t = timed([args.bin, "import", "people", str(file), "--dry-run"], env)
                half_t = timed([args.bin, "import", "people", str(half), "--dry-run"], env)
                rows.append((f"chain of {args.rows:,} (dry run)", "SQLite", size, full_t, None, f"half the depth: {half_t:.2f} s (ratio {full_t / half_t:.2f}; 2 is linear, 4 quadratic)"))
                continue
            # SQLite file
            db = work / f"{shape}.sqlite"
            env = dict(os.environ, DATABASE_URL=str(db))
            timed([args.bin, "migrate"], env)
            t = timed([args.bin, "import", "people", str(file)], env)
            baseline_db = work / f"{shape}-baseline.sqlite"
            b = timed(["sqlite3", str(baseline_db), ".import --csv " + str(file) + " raw"])
            rows.append((f"{shape}, {args.rows:,} new people", "SQLite", size, t, b, ""))
            # Re-imports of the same file with every person changed: updates, not inserts. First
            # a new department for everyone (an HR system's export after a reorganisation), then
            # every person's interests renamed too (every tag list rewritten: the worst case).
            changed = work / f"{shape}-changed.csv"
            changed.write_text(file.read_text(encoding="utf-8").replace(",Department ", ",Dept ", -1), encoding="utf-8")
            retagged = work / f"{shape}-retagged.csv"
            retagged.write_text(changed.read_text(encoding="utf-8").replace("Interest ", "Hobby ", -1), encoding="utf-8")
            t2 = timed([args.bin, "import", "people", str(changed)], env)
            rows.append((f"{shape}, {args.rows:,} people, new department", "SQLite", size, t2, b, ""))
            t3 = timed([args.bin, "import", "people", str(retagged)], env)
            rows.append((f"{shape}, {args.rows:,} people, every tag list changed", "SQLite", size, t3, b, ""))
            if args.postgres:
                reset_postgres(args.postgres)
                penv = dict(os.environ, DATABASE_URL=args.postgres)
                timed([args.bin, "migrate"], penv)
                tp = timed([args.bin, "import", "people", str(file)], penv)
                subprocess.run(["psql", args.postgres, "-q", "-c", "CREATE TABLE raw (" + ", ".join(f"{c} text" for c in COLUMNS) + ")"], check=True, capture_output=True)
                bp = timed(["psql", args.postgres, "-q", "-c", f"\\copy raw FROM '{file}' WITH (FORMAT csv, HEADER true)"])
                rows.append((f"{shape}, {args.rows:,} new people", "PostgreSQL", size, tp, bp, ""))
                tp2 = timed([args.bin, "import", "people", str(changed)], penv)
                rows.append((f"{shape}, {args.rows:,} people, new department", "PostgreSQL", size, tp2, bp, ""))
                tp3 = timed([args.bin, "import", "people", str(retagged)], penv)
                rows.append((f"{shape}, {args.rows:,} people, every tag list changed", "PostgreSQL", size, tp3, bp, ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"| file | database | size | trellis import | bulk loader (baseline) | ratio | note |")
    print(f"|---|---|---|---|---|---|---|")
    for name, database, size, t, b, note in rows:
        ratio = f"{t / b:.1f}" if b else ""
        baseline = f"{b:.2f} s" if b else ""
        print(f"| {name} | {database} | {size:.1f} MB | {t:.2f} s | {baseline} | {ratio} | {note} |")


if __name__ == "__main__":
    main()
