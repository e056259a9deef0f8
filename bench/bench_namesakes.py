"""Namesakes at scale: card dedupe on a SIMULATED archive without personal files and manifests (issue 14).

Without a personal file or a repatriation to refuse a second candidate, different men with the same name and
birth year were put into one person, more of them the larger the file (docs/decisions/0004). This links such
archives with `kartoteka link` and scores them with `kartoteka evaluate`, one row per archive:

    .venv/bin/python bench/bench_namesakes.py --persons 250000 --seed 2026 --workdir /tmp/ns

An archive made before (simulated, subset and imported) is reused with --archive DIR --db FILE; a link and
evaluation made before (`link --json`, `evaluate --json` output files) with --link-json and --eval-json. The
figures "before" (earlier code) are given with --before "LABEL=JSON" (an `evaluate --json` output file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section
from bench_linkage import run, subset_archive

DROPPED = ("personal_file", "manifest")


def _figures(evaluated: dict, label: str, seconds: str) -> str:
    dedupe, tasks = evaluated["tasks"]["card_dedupe"], evaluated["tasks"]
    return (f"| {label} | {evaluated['records']:,} | {dedupe['f1']:.4f} | {dedupe['precision']:.4f} | "
            f"{dedupe['recall']:.4f} | {evaluated['clusters']['f1']:.4f} | {tasks['card_roster']['f1']:.4f} | "
            f"{tasks['card_death_roster']['f1']:.4f} | {seconds} |")


def main() -> None:
    """Link (or reuse a link of) one archive and write the section."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-namesakes"))
    parser.add_argument("--archive", type=Path, help="a simulated archive already without the dropped kinds")
    parser.add_argument("--truth", type=Path, help="its truth.csv (default: in --archive)")
    parser.add_argument("--db", type=Path, help="the store it was imported into")
    parser.add_argument("--link-json", type=Path, help="`kartoteka link --json` output of a run already made")
    parser.add_argument("--eval-json", type=Path, help="`kartoteka evaluate --json` output of that run")
    parser.add_argument("--label", default="this code")
    parser.add_argument("--before", action="append", default=[], help="LABEL=FILE, an evaluate --json output")
    parser.add_argument("--note", default="", help="a paragraph under the table")
    parser.add_argument("--section", default="namesakes")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    archive = args.archive
    if archive is None:
        full = args.workdir / f"sim-{args.persons}-{args.seed}"
        run("simulate", str(full), "--persons", str(args.persons), "--seed", str(args.seed), "--profile", "realistic")
        archive = subset_archive(full, args.workdir / f"subset-{args.persons}-{args.seed}", DROPPED)
    truth = args.truth or archive / "truth.csv"
    if args.link_json and args.eval_json:
        summary = json.loads(args.link_json.read_text(encoding="utf-8"))
        evaluated = json.loads(args.eval_json.read_text(encoding="utf-8"))
        seconds = f"{sum(summary['seconds'].values()):.0f} s (stages {summary['seconds']})"
    else:
        db = args.db or args.workdir / f"subset-{args.persons}-{args.seed}.sqlite"
        if args.db is None:
            run("-q", "-d", str(db), "import", str(archive))
        wall, peak, out = run("-q", "-d", str(db), "link", "--json", "--runs-dir", str(args.workdir / "runs"))
        summary = json.loads(out)
        _, _, out = run("-d", str(db), "evaluate", str(truth), "--json")
        evaluated = json.loads(out)
        seconds = f"{wall:.0f} s, peak {peak / 1024:.2f} GiB"
    lines = ["| code | records | card dedupe F1 (target ≥ 0.98) | precision | recall | cluster F1 | "
             "card ↔ kanji roster F1 | card ↔ death roster F1 | link time |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for spec in args.before:
        label, path = spec.split("=", 1)
        lines.append(_figures(json.loads(Path(path).read_text(encoding="utf-8")), label, "—"))
    lines.append(_figures(evaluated, args.label, seconds))
    body = "\n".join([f"Archive: {archive} (SIMULATED, without its {' and '.join(DROPPED)} files); "
                      f"{summary['persons']:,} persons linked from {summary['records']:,} records, "
                      f"{summary['refused_links']:,} links refused.", "", *lines, "", args.note,
                      "", f"Command: `.venv/bin/python bench/bench_namesakes.py {' '.join(sys.argv[1:])}`."])
    write_section(args.section, "Namesakes at scale (card dedupe without personal files and manifests)", body)
    print(body)


if __name__ == "__main__":
    main()
