"""Build src/kartoteka/names/data/decoded_spellings.tsv.gz: the decoder's answers for the likeliest clerk spellings.

For each part (surname, given name) the clerk channel (profile "realistic", the rates the simulator uses) is
run forward over the part's real-name prior (``spellings.likely_spellings``); the ``--rows`` spellings that
carry the most probability are kept. Every kept spelling is decoded, by the decoder itself, as a surname and as
a given name (the order of a full name is decided on both), and the answers are written with a digest of what
they depend on. Run again whenever the decoder, the channel, the kana tables or the priors change (a test says
so: tests/names/test_spellings.py).

Run:  .venv/bin/python bench/build_spellings.py [--rows 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from kartoteka.names import kanji, spellings  # noqa: E402
from kartoteka.names.channel import PROFILES  # noqa: E402

OUT = ROOT / "src" / "kartoteka" / "names" / "data" / spellings.TABLE_FILE
BUILD = ROOT / "src" / "kartoteka" / "names" / "data" / "BUILD.json"
PRIOR_NAMES = {"surname": 60_000, "given": 40_000}  # the likeliest readings of each prior that are spelled


def _decode_chunk(words: list[str]) -> list[tuple[str, str, spellings.Answer]]:
    from kartoteka.names.decode import fresh_decode

    return [(part, word, fresh_decode(word, part, spellings.TABLE_LIMIT))
            for word in words for part in ("surname", "given")]


def _decode_all(words: list[str], workers: int, started: float) -> dict[tuple[str, str], spellings.Answer]:
    """Every word decoded as both parts; the answers are kept in a scratch file as they come, so that a run
    that fails later (or is stopped) resumes where it was."""
    scratch = Path(tempfile.gettempdir()) / f"kartoteka-spellings-{spellings.inputs_digest()}.jsonl"
    answers: dict[tuple[str, str], spellings.Answer] = {}
    if scratch.exists():
        for line in scratch.read_text(encoding="utf-8").splitlines():
            part, word, answer = json.loads(line)
            answers[part, word] = tuple((kana, score) for kana, score in answer)
    todo = [word for word in words if ("surname", word) not in answers or ("given", word) not in answers]
    chunks = [todo[i : i + 500] for i in range(0, len(todo), 500)]
    with multiprocessing.get_context("fork").Pool(workers) as pool, scratch.open("a", encoding="utf-8") as out:
        for done, rows in enumerate(pool.imap_unordered(_decode_chunk, chunks), start=1):
            for part, word, answer in rows:
                answers[part, word] = answer
                out.write(json.dumps([part, word, answer], ensure_ascii=False) + "\n")
            if done % 20 == 0:
                print(f"  decoded {len(answers):,} of {2 * len(words):,} ({time.perf_counter() - started:.0f} s)",
                      flush=True)
    return {key: answers[key] for word in words for key in (("surname", word), ("given", word))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="spellings kept per part")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    rates = PROFILES["realistic"]
    kept: dict[str, None] = {}
    stats: dict[str, dict[str, float]] = {}
    for part, prior in (("surname", kanji.surname_prior()), ("given", kanji.given_prior())):
        ranked = list(spellings.likely_spellings(prior, rates, PRIOR_NAMES[part]))
        chosen = ranked[: args.rows]
        stats[part] = {"spellings": len(chosen), "probability_covered": round(sum(p for _, p in chosen), 4),
                       "prior_names": PRIOR_NAMES[part]}
        kept.update((word, None) for word, _ in chosen)
        print(f"{part}: {len(chosen):,} spellings cover {stats[part]['probability_covered']:.1%} of the channel's "
              f"probability (misread letters aside)", flush=True)
    words = list(kept)
    answers = _decode_all(words, args.workers, started)
    lines = spellings.table_lines(answers, spellings.inputs_digest())
    OUT.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0))
    build = json.loads(BUILD.read_text(encoding="utf-8")) if BUILD.exists() else {}
    build["decoded_spellings"] = {"rows": len(answers), "per_part": stats, "profile": "realistic",
                                  "limit": spellings.TABLE_LIMIT}
    BUILD.write_text(json.dumps(build, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB, {len(answers):,} rows) in "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
