"""Field-level precision and recall of the claims extractor on the fixture corpus.

    python -m etl.news.score            # tests/fixtures/news: corpus/*.txt, gold.json, series.csv
    python -m etl.news.score -v         # and every field that differs, per article

Each gold claim is aligned with at most one extracted claim (the one agreeing on most fields; they must
agree on the figure or the evidence).  Every claim has the same fields (:data:`FIELDS`); a field of an
aligned pair is correct when equal (``evidence``: the extracted span contains the gold evidence text).
Precision = correct fields / fields of the extracted claims; recall = correct fields / fields of the gold
claims; so a spurious claim costs precision and a missed one recall, field by field.

Exits 1 when precision or recall is below the targets (``--min-precision 0.98``, ``--min-recall 0.95``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = ("claimant", "subject", "category", "measure", "value", "low", "high", "qualifier", "period_start", "as_of",
          "as_of_precision", "date_method", "status", "evidence")
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "news"


@dataclass
class Score:
    correct: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    predicted: int = 0  # claims
    gold: int = 0
    aligned: int = 0
    articles: int = 0
    differences: list[str] = field(default_factory=list)

    def precision(self, f: str | None = None) -> float:
        n = self.predicted * (1 if f else len(FIELDS))
        c = self.correct[f] if f else sum(self.correct.values())
        return c / n if n else 1.0

    def recall(self, f: str | None = None) -> float:
        n = self.gold * (1 if f else len(FIELDS))
        c = self.correct[f] if f else sum(self.correct.values())
        return c / n if n else 1.0


def _field_ok(name: str, pred: dict, gold: dict, text: str) -> bool:
    if name == "evidence":
        a, b = pred["span"]
        return gold["evidence"] in text[a:b]
    return pred.get(name) == gold.get(name)


def _align(predicted: list[dict], gold: list[dict], text: str) -> list[tuple[int, int]]:
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            figure = (p["value"], p["low"], p["high"]) == (g["value"], g["low"], g["high"]) and \
                (g["value"] is not None or g["low"] is not None)
            evidence = _field_ok("evidence", p, g, text)
            if not (figure or evidence):
                continue
            agree = sum(_field_ok(f, p, g, text) for f in FIELDS)
            pairs.append((agree, figure, -abs(pi - gi), gi, pi))
    pairs.sort(reverse=True)
    used_g, used_p, out = set(), set(), []
    for _agree, _fig, _dist, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


def score_corpus(folder: Path = DEFAULT_DIR, verbose: bool = False) -> Score:
    from etl.news.article import from_text
    from etl.news.extract import extract
    from etl.news.series import BulletinSeries

    gold_all = json.loads((folder / "gold.json").read_text(encoding="utf-8"))["articles"]
    series = BulletinSeries.from_csv(folder / "series.csv")
    score = Score(articles=len(gold_all))
    for name, gold in sorted(gold_all.items()):
        text = (folder / "corpus" / name).read_text(encoding="utf-8")
        article = from_text(text)
        predicted = [c.to_json() for c in extract(article.text, published=article.published_date, series=series)]
        score.predicted += len(predicted)
        score.gold += len(gold)
        pairs = _align(predicted, gold, article.text)
        score.aligned += len(pairs)
        for gi, pi in pairs:
            for f in FIELDS:
                if _field_ok(f, predicted[pi], gold[gi], article.text):
                    score.correct[f] += 1
                elif verbose:
                    got = predicted[pi]["evidence"] if f == "evidence" else predicted[pi].get(f)
                    score.differences.append(f"{name}: claim {gold[gi]['evidence']!r}: {f} is {got!r}, "
                                             f"expected {gold[gi].get(f)!r}")
        if verbose:
            for gi in sorted(set(range(len(gold))) - {g for g, _ in pairs}):
                score.differences.append(f"{name}: missed {gold[gi]['claimant']} {gold[gi]['category']} "
                                         f"{gold[gi]['measure']} {gold[gi]['value'] or (gold[gi]['low'], gold[gi]['high'])}"
                                         f" ({gold[gi]['evidence']!r})")
            for pi in sorted(set(range(len(predicted))) - {p for _, p in pairs}):
                p = predicted[pi]
                score.differences.append(f"{name}: spurious {p['claimant']} {p['category']} {p['measure']} "
                                         f"{p['value'] or (p['low'], p['high'])} ({p['evidence']!r})")
    return score


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.news.score", description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", type=Path, default=DEFAULT_DIR,
                    help="folder with corpus/, gold.json and series.csv (default tests/fixtures/news)")
    ap.add_argument("--min-precision", type=float, default=0.98)
    ap.add_argument("--min-recall", type=float, default=0.95)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every differing field, miss and spurious claim")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    score = score_corpus(args.fixtures, args.verbose)
    seconds = time.perf_counter() - started
    print(f"news claims extraction on {score.articles} articles: {score.gold} gold claims, {score.predicted} extracted, "
          f"{score.aligned} aligned ({seconds:.2f}s)")
    print(f"  {'field':<16}{'precision':>10}{'recall':>9}")
    for f in FIELDS:
        print(f"  {f:<16}{score.precision(f):>10.3f}{score.recall(f):>9.3f}")
    p, r = score.precision(), score.recall()
    print(f"  {'all fields':<16}{p:>10.3f}{r:>9.3f}   (targets: precision >= {args.min_precision}, "
          f"recall >= {args.min_recall})")
    for line in score.differences:
        print("  - " + line)
    ok = p >= args.min_precision and r >= args.min_recall
    if not ok:
        print("below target", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
