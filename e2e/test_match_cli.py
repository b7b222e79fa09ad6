"""`trellis match` as a person runs it: on a terminal it draws a progress bar; piped, it stays
quiet; the summary and the matches file are the same either way."""
import csv
import os
import pty
import subprocess
import sys

from conftest import trellis_binary

HEADER = "email,name,role,department,manager_email,timezone,languages,expertise,development_areas,interests,values,capacity,meeting_frequency,years_experience\n"


def people_file(tmp_path, mentees=3000, mentors=800):
    lines = [HEADER]
    zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Africa/Lagos", "Australia/Sydney"]
    skills = [f"Skill {i}" for i in range(40)]
    for i in range(mentors):
        expertise = ";".join(skills[(i * 7 + k) % 40] for k in range(4))
        lines.append(f"mentor{i}@example.org,Mentor {i},mentor,Dept {i % 6},,{zones[i % 5]},English,{expertise},,Chess;Music,Curiosity,{1 + i % 3},monthly,{10 + i % 15}\n")
    for i in range(mentees):
        development = ";".join(skills[(i * 3 + k) % 40] for k in range(3))
        lines.append(f"mentee{i}@example.org,Mentee {i},mentee,Dept {i % 6},,{zones[(i * 2) % 5]},English,,{development},Chess,Kindness,,monthly,{i % 5}\n")
    path = tmp_path / "people.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run_in_terminal(arguments):
    """Runs the command with a pseudo-terminal as its standard error and output."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(arguments[0], arguments)
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_and_quiet_when_piped(tmp_path):
    people = people_file(tmp_path)
    out_terminal = tmp_path / "terminal.csv"
    code, screen = run_in_terminal([trellis_binary(), "match", "people", str(people), "--out", str(out_terminal)])
    assert code == 0, screen
    assert "[" in screen and "#" in screen and "% scoring" in screen, screen
    assert "optimal:         proven" in screen

    out_piped = tmp_path / "piped.csv"
    piped = subprocess.run([trellis_binary(), "match", "people", str(people), "--out", str(out_piped)], capture_output=True, text=True, check=True)
    assert "scoring" not in piped.stderr and "#" not in piped.stderr
    assert "matched:" in piped.stdout and "total score:" in piped.stdout and "optimal:         proven" in piped.stdout
    assert out_terminal.read_bytes() == out_piped.read_bytes(), "the same input gives the same output"

    rows = list(csv.DictReader(open(out_piped, encoding="utf-8")))
    assert len(rows) == 3000 and {r["mentee_email"] for r in rows} == {f"mentee{i}@example.org" for i in range(3000)}
    matched = [r for r in rows if r["mentor_email"]]
    assert matched and all(r["reasons"] for r in rows)
    loads = {}
    for r in matched:
        loads[r["mentor_email"]] = loads.get(r["mentor_email"], 0) + 1
    assert all(loads[m] <= 1 + int(m[len("mentor"):].split("@")[0]) % 3 for m in loads), "capacities hold"


def test_bad_people_file_writes_nothing(tmp_path):
    people = tmp_path / "bad.csv"
    people.write_text(HEADER + "x@example.org,X,guru,,,,,,,,,,,\n", encoding="utf-8")
    out = tmp_path / "never.csv"
    result = subprocess.run([trellis_binary(), "match", "people", str(people), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "row 2, column role" in result.stderr
    assert not out.exists()
