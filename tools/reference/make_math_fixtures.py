#!/usr/bin/env python3
"""Answer-verification fixtures (Tests/Fixtures/math/) from math-verify 0.9.0 (PyPI; latex2sympy2_extended 1.11.0).

    .venv-ref/bin/pip install math-verify==0.9.0
    .venv-ref/bin/python tools/reference/make_math_fixtures.py [--shared ../shared]

    .venv-ref/bin/python tools/reference/make_math_fixtures.py --families-only   # families.jsonl alone

families.jsonl as committed was made with that last command (PYTHONHASHSEED not needed: no randomness, fixed order).
Writes pairs.jsonl: one (gold, pred, mode) per line with math-verify's verdict, and families.jsonl: the
hand-written pairs of math_family_pairs.py (issue 12's families; splits tune and heldout1-seen) and of
math_heldout2_pairs.py (split heldout2, written blind; tuned on only for its one mixed-number pair). Modes:
  default   verify(parse(gold), parse(pred)) with parse's defaults (LaTeX + expression targets)
  tina      Tina's accuracy reward (tina-digest.md 4.1): gold parsed first_match with the defaults, the
            prediction with LaTeX only, boxed priority 0, no anchor-less matches, units/equations normalization
  latex / expr / latex_expr   the dev cases' own options (match types), as their source tests ran them
Sources: ../shared/reference/answer_equivalence_dev.jsonl (with its own `expected` kept as dev_expected), and
the benchmark answers of ../shared/data (all of AIME/AMC, every other one of MATH-500, Minerva, OlympiadBench)
against themselves, their answer_raw, equivalent rewrites, near misses and another problem's answer.
"""
import argparse
import json
import logging
import os
import random

from latex2sympy2_extended.latex2sympy2 import NormalizationConfig
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "math")

TINA_PRED = [LatexExtractionConfig(
    normalization_config=NormalizationConfig(nits=False, malformed_operators=False, basic_latex=True, equations=True,
                                             boxed="all", units=True),
    boxed_match_priority=0, try_extract_without_anchor=False)]
TARGETS = {"latex": [LatexExtractionConfig()], "expr": [ExprExtractionConfig()],
           "latex_expr": [LatexExtractionConfig(), ExprExtractionConfig()]}


def judge(gold, pred, mode):
    if mode == "tina":
        g = parse(gold, extraction_mode="first_match")
        p = parse(pred, extraction_config=TINA_PRED, extraction_mode="first_match")
        return bool(g) and verify(g, p)
    targets = TARGETS.get(mode, TARGETS["latex_expr"])
    return verify(parse(gold, targets), parse(pred, targets))


def variants(answer, raw, rng, others):
    """(pred, kind) pairs for one gold answer."""
    out = [(f"${answer}$", "self"), (f"The final answer is $\\boxed{{{answer}}}$. I hope it is correct.", "boxed")]
    raw = str(raw) if raw is not None else None
    if raw and raw != answer:
        out.append((raw if "$" in raw else f"${raw}$", "raw"))
    stripped = answer.strip()
    if stripped.lstrip("-").isdigit():
        n = int(stripped)
        out += [(f"$\\boxed{{{n + 1}}}$", "near:+1"), (f"$\\boxed{{{n}.0}}$", "eq:decimal"),
                (f"$\\boxed{{\\frac{{{2 * n}}}{{2}}}}$", "eq:frac"), (f"so the answer is {n}", "eq:plain")]
    elif "\\frac" in stripped or "\\dfrac" in stripped:
        out += [(f"$\\boxed{{{stripped.replace('dfrac', 'frac')}}}$", "eq:dfrac"),
                (f"$\\boxed{{2\\cdot({stripped})}}$", "near:double")]
    else:
        out.append((f"$\\boxed{{{stripped}+1}}$", "near:+1"))
    other = rng.choice(others)
    if other.strip() != stripped:
        out.append((f"$\\boxed{{{other}}}$", "other"))
    return out


def write_families():
    """families.jsonl: every family pair graded in default mode, and in tina mode when the prediction boxes."""
    from math_family_pairs import FAMILIES
    from math_heldout2_pairs import HELDOUT2
    lists = [(family, split, pairs) for family, splits in FAMILIES.items() for split, pairs in splits.items()]
    lists += [(family, "heldout2", pairs) for family, pairs in HELDOUT2.items()]
    rows = []
    for family, split, pairs in lists:
        for i, (gold, pred) in enumerate(pairs):
            for mode in ("default", "tina") if "\\boxed" in pred else ("default",):
                rows.append({"source": f"family:{family}:{split}:{i}", "family": family, "split": split, "mode": mode,
                             "gold": gold, "pred": pred, "expected": judge(gold, pred, mode)})
    with open(os.path.join(ROOT, "families.jsonl"), "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(rows), "family pairs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    parser.add_argument("--families-only", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # latex2sympy warns about equations=True on every call
    os.makedirs(ROOT, exist_ok=True)
    write_families()
    if args.families_only:
        raise SystemExit(0)
    rng = random.Random(7)
    rows = []
    with open(os.path.join(args.shared, "reference", "answer_equivalence_dev.jsonl")) as f:
        for i, line in enumerate(f):
            case = json.loads(line)
            options = case.get("options") or {}
            types = options.get("match_types") or ["latex", "expr"]
            if any(t not in ("latex", "expr") for t in types) or "language" in options:
                continue
            mode = "_".join(types)
            verdict = judge(case["gold"], case["pred"], mode)
            rows.append({"source": f"dev:{i}", "mode": mode, "gold": case["gold"], "pred": case["pred"],
                         "expected": verdict, "dev_expected": case["expected"]})
    for name in ["aime2024", "aime2025", "amc2023", "math500", "minerva_math", "olympiadbench"]:
        data = [json.loads(l) for l in open(os.path.join(args.shared, "data", name + ".jsonl"))]
        answers = [str(r["answer"]) for r in data]
        # Every answer of the small sets, every other one of the large ones (keeps the fixture near 1 MB).
        for index, r in enumerate(data):
            if len(data) > 100 and index % 2:
                continue
            gold = f"${r['answer']}$"
            for pred, kind in variants(str(r["answer"]), r.get("answer_raw"), rng, answers):
                for mode in ("default", "tina"):
                    rows.append({"source": f"{name}:{r['id']}:{kind}", "mode": mode, "gold": gold, "pred": pred,
                                 "expected": judge(gold, pred, mode)})
    with open(os.path.join(ROOT, "pairs.jsonl"), "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(rows), "pairs")
