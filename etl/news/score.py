"""Field-level precision and recall of the claims extractor on the written corpus, part by part.

    python -m etl.news.score            # the dev part and the held-out test part of tests/fixtures/news
    python -m etl.news.score -v         # and every field that differs, per article
    python -m etl.news.score --part dev -v
    python -m etl.news.score --part real --real /path/outside/the/repo   # real articles, scored where they are

The corpus (tests/fixtures/news, all dated against its series.csv) has two parts:

* **dev** — what the extractor is tuned on: ``corpus/*.txt`` with ``gold.json`` (the first rounds) and
  ``dev/*.txt`` with ``dev/gold.txt``;
* **test** — ``test/*.txt`` with ``test/gold.txt``: written before the extractor's last round of
  changes and scored only at the end; never tune on its differences (a test part that has been scored and
  read is folded into dev and a fresh one written). The first test part (``t01``..``t42``), the second
  (``n01``..``n42``, scored once at 0.901 / 0.828 per claim) and the third (``m01``..``m42``, scored once
  at 0.951 / 0.917), the fourth (``p01``..``p42``, 0.914 / 0.910) and the fifth (``q01``..``q42``, 0.913 /
  0.853), the sixth (``r01``..``r42``, 0.921 / 0.888), the eighth (``s01``..``s42``, 0.892 / 0.803), the ninth
  (``u01``..``u42``, 0.958 / 0.876), the tenth (``v01``..``v42``, 0.953 / 0.902), the eleventh (``w01``..``w42``,
  0.932 / 0.817) and the twelfth (``x01``..``x42``, 0.885 / 0.730) were scored and then **folded into dev**; the present
  one (``y01``..``y42``) was written before the thirteenth pass's changes, scored once as its baseline and once at its
  end.

The figures measured on real published articles (scored outside the repository: their text is not
ours to commit) are printed from ``real_articles.json`` as recorded, with a note saying so (and earlier
passes' records, of older extractors, on lines of their own).

Each gold claim is aligned with at most one extracted claim (the one agreeing on most fields; they must
agree on the figure or the evidence).  Every claim has the same fields (:data:`FIELDS`); a field of an
aligned pair is correct when equal (``evidence``: the extracted span contains the gold evidence text).
Precision = correct fields / fields of the extracted claims; recall = correct fields / fields of the gold
claims; so a spurious claim costs precision and a missed one recall, field by field.

A claim counts as right when every field is right (``whole claims``: the per-claim figures).
Each part's whole-claim line is marked ``PASS`` or ``BELOW`` against its targets (written parts:
``--min-precision 0.98``, ``--min-recall 0.95``; real articles: precision 0.95, recall 0.90).  The exit
status is 0 whatever the scores (``make bench`` prints them); ``--strict`` exits 1 when a part scored is
below its targets.  ``--real DIR`` (or ``ATTRITION_REAL_ARTICLES``) scores real articles kept outside the
repository (``DIR/test/*.txt`` + ``DIR/test/gold.txt`` + ``DIR/series.csv``) instead of printing the
recorded figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from etl.config import setting
from etl.news.claim import FIGURE_KEYS

FIELDS = (
    *FIGURE_KEYS,
    "qualifier",
    "period_start",
    "as_of",
    "as_of_precision",
    "date_method",
    "status",
    "evidence",
)
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "news"
REAL_TARGETS = (0.95, 0.90)  # whole claims on real published articles (issue 13)


@dataclass
class Score:
    correct: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    predicted: int = 0  # claims
    gold: int = 0
    aligned: int = 0
    articles: int = 0
    claims_right: int = 0  # aligned claims with every field right
    differences: list[str] = field(default_factory=list)

    def claim_precision(self) -> float:
        return self.claims_right / self.predicted if self.predicted else 1.0

    def claim_recall(self) -> float:
        return self.claims_right / self.gold if self.gold else 1.0

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
            figure = (p["value"], p["low"], p["high"]) == (g["value"], g["low"], g["high"]) and (
                g["value"] is not None or g["low"] is not None
            )
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


def _sources(folder: Path, part: str) -> list[tuple[Path, dict[str, list[dict]]]]:
    """(article folder, {name: gold claims}) of a part."""
    from etl.news.gold import load

    out = []
    if part in ("dev", "corpus") and (folder / "gold.json").exists():
        out.append((folder / "corpus", json.loads((folder / "gold.json").read_text(encoding="utf-8"))["articles"]))
    sub = {"dev": "dev", "test": "test"}.get(part)
    if sub and (folder / sub / "gold.txt").exists():
        out.append((folder / sub, load(folder / sub / "gold.txt")))
    return out


def score_corpus(folder: Path = DEFAULT_DIR, verbose: bool = False, part: str = "corpus") -> Score:
    """The score of one part: ``corpus`` (corpus/ + gold.json only), ``dev`` (that and dev/) or ``test``."""
    from etl.news.series import BulletinSeries

    series = BulletinSeries.from_csv(folder / "series.csv")
    score = Score()
    for articles, gold_all in _sources(folder, part):
        score.articles += len(gold_all)
        for name, gold in sorted(gold_all.items()):
            _score_article(score, articles / name, gold, series, verbose)
    return score


def _score_article(score: Score, path: Path, gold: list[dict], series, verbose: bool) -> None:
    from etl.news.article import from_text
    from etl.news.extract import extract

    name = path.name
    article = from_text(path.read_text(encoding="utf-8"))
    predicted = [c.to_json() for c in extract(article.text, published=article.published_date, series=series)]
    score.predicted += len(predicted)
    score.gold += len(gold)
    pairs = _align(predicted, gold, article.text)
    score.aligned += len(pairs)
    for gi, pi in pairs:
        right = 0
        for f in FIELDS:
            if _field_ok(f, predicted[pi], gold[gi], article.text):
                score.correct[f] += 1
                right += 1
            elif verbose:
                got = predicted[pi]["evidence"] if f == "evidence" else predicted[pi].get(f)
                score.differences.append(
                    f"{name}: claim {gold[gi]['evidence']!r}: {f} is {got!r}, expected {gold[gi].get(f)!r}"
                )
        score.claims_right += right == len(FIELDS)
    if verbose:
        for gi in sorted(set(range(len(gold))) - {g for g, _ in pairs}):
            score.differences.append(
                f"{name}: missed {gold[gi]['claimant']} {gold[gi]['category']} "
                f"{gold[gi]['measure']} {gold[gi]['value'] or (gold[gi]['low'], gold[gi]['high'])}"
                f" ({gold[gi]['evidence']!r})"
            )
        for pi in sorted(set(range(len(predicted))) - {p for _, p in pairs}):
            p = predicted[pi]
            score.differences.append(
                f"{name}: spurious {p['claimant']} {p['category']} {p['measure']} "
                f"{p['value'] or (p['low'], p['high'])} ({p['evidence']!r})"
            )


def real_figures(folder: Path = DEFAULT_DIR) -> dict | None:
    """The recorded scores on real published articles (``real_articles.json``: figures and URLs only)."""
    path = folder / "real_articles.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.news.score", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--fixtures",
        type=Path,
        default=DEFAULT_DIR,
        help="folder with corpus/, gold.json and series.csv (default tests/fixtures/news)",
    )
    ap.add_argument("--min-precision", type=float, default=0.98)
    ap.add_argument("--min-recall", type=float, default=0.95)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every differing field, miss and spurious claim")
    ap.add_argument("--part", choices=("dev", "test", "both", "real"), default="both")
    ap.add_argument(
        "--real",
        type=Path,
        default=setting("ATTRITION_REAL_ARTICLES"),
        help="folder of real articles kept outside the repository (test/ + test/gold.txt + series.csv)",
    )
    ap.add_argument("--strict", action="store_true", help="exit 1 when a part is below its targets")
    args = ap.parse_args(argv)
    ok = True
    for part in {"both": ("dev", "test"), "real": ()}.get(args.part, (args.part,)):
        ok &= _report(part, args, args.fixtures, part, (args.min_precision, args.min_recall))
    if args.real and args.part in ("both", "real"):
        ok &= _report("real", args, args.real, "test", REAL_TARGETS)
    elif args.part in ("both", "real"):
        ok &= _print_recorded(real_figures(args.fixtures))
    if not ok:
        print(
            "below target or not scored" + ("" if args.strict else " (exit status 0: --strict makes it 1)"),
            file=sys.stderr,
        )
    return 0 if ok or not args.strict else 1


def _mark(p: float, r: float, targets: tuple[float, float]) -> str:
    return "PASS" if p >= targets[0] and r >= targets[1] else "BELOW"


def _print_recorded(real: dict | None) -> bool:
    if not real:
        return True
    p, r = real["precision"], real["recall"]
    print(
        f"[real] published articles (odd months; recorded {real['scored_on']}, not re-computed: their text is not "
        f"in the repository): {real['articles']} articles from {len(real['outlets'])} outlets, "
        f"{real['gold_claims']} gold claims; fields precision {real['field_precision']:.3f}, recall "
        f"{real['field_recall']:.3f}"
    )
    print(
        f"  [real] {'whole claims':<16}{p:>10.3f}{r:>9.3f}   {_mark(p, r, REAL_TARGETS)} (targets: precision >= "
        f"{REAL_TARGETS[0]}, recall >= {REAL_TARGETS[1]})"
    )
    for name, part in real.get("sets", {}).items():
        first, final = part["first_score"], part["final"]
        print(
            f"  [real] {name}: {part['articles']} articles, {part['gold_claims']} gold claims; whole claims "
            f"{final['precision']:.3f} / {final['recall']:.3f} (first score {first['precision']:.3f} / "
            f"{first['recall']:.3f})"
        )
    earlier = real.get("earlier") or []
    for rec in [earlier] if isinstance(earlier, dict) else earlier:  # earlier passes' records, of older extractors
        print(
            f"  [real] earlier record ({rec['scored_on']}, {rec['extractor_version']}; "
            f"{rec.get('since', 'not re-scored since')}): "
            f"{rec['articles']} articles, whole claims {rec['precision']:.3f} / {rec['recall']:.3f}"
        )
    return _mark(p, r, REAL_TARGETS) == "PASS"


def _report(label: str, args, folder: Path, part: str, targets: tuple[float, float]) -> bool:
    started = time.perf_counter()
    score = score_corpus(folder, args.verbose, part)
    seconds = time.perf_counter() - started
    if not score.articles:
        # an empty part proves nothing: it is not scored, and not a PASS
        print(f"[{label}] no articles: not scored ({folder}, part {part!r})")
        return False
    print(
        f"[{label}] news claims extraction on {score.articles} articles: {score.gold} gold claims, "
        f"{score.predicted} extracted, {score.aligned} aligned ({seconds:.2f}s)"
    )
    if args.verbose or label == "dev":
        print(f"  {'field':<16}{'precision':>10}{'recall':>9}")
        for f in FIELDS:
            print(f"  {f:<16}{score.precision(f):>10.3f}{score.recall(f):>9.3f}")
    p, r = score.precision(), score.recall()
    print(f"  [{label}] {'all fields':<16}{p:>10.3f}{r:>9.3f}")
    cp, cr = score.claim_precision(), score.claim_recall()
    print(
        f"  [{label}] {'whole claims':<16}{cp:>10.3f}{cr:>9.3f}   {_mark(cp, cr, targets)} (targets: precision >= "
        f"{targets[0]}, recall >= {targets[1]}; a claim counts when every field is right)"
    )
    for line in score.differences:
        print("  - " + line)
    return _mark(cp, cr, targets) == "PASS"


if __name__ == "__main__":
    sys.exit(main())
