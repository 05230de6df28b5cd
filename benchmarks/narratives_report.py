"""Markdown tables for docs/model-card-narratives.md from a model's metrics.json.

    .venv/bin/python benchmarks/narratives_report.py src/narrascope/resources/models/narratives/metrics.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SETS = [("test_handwritten", "held-out handwritten articles (test half)"),
        ("test_articles", "held-out composed articles (test)"),
        ("test_passages", "held-out passages (test)"),
        ("dev_handwritten", "handwritten dev half (used for tuning)"),
        ("dev_articles", "composed dev articles (used for tuning)"),
        ("seeds", "seed articles (3, labels-st2.tsv)")]


def fmt(v):  # type: ignore[no-untyped-def]
    return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def main(path: str) -> None:
    r = json.loads(Path(path).read_text())
    zs = r.get("zero_shot", {})
    print("| evaluation set | n | trained coarse F1 | trained fine F1 | zero-shot coarse F1 | "
          "zero-shot fine F1 | false alarms on no-narrative (trained / zero-shot) |")
    print("|---|---|---|---|---|---|---|")
    for key, name in SETS:
        if key not in r:
            continue
        a, b = r[key], zs.get(key, {})
        print(f"| {name} | {a['n']} | {fmt(a['coarse_f1'])} (±{fmt(a['coarse_f1_std'])}) | "
              f"{fmt(a['fine_f1'])} (±{fmt(a['fine_f1_std'])}) | {fmt(b.get('coarse_f1'))} | "
              f"{fmt(b.get('fine_f1'))} | {fmt(a['false_alarm_rate_on_no_narrative'])} / "
              f"{fmt(b.get('false_alarm_rate_on_no_narrative'))} |")
    for key in ("test_handwritten", "test_articles"):
        if key in r:
            report_set(key, r[key])
    if "seeds" in r:
        print()
        for p in r["seeds"].get("predictions", []):
            print(f"- `{p['id']}`: " + "; ".join(p["fine"]))


def report_set(key: str, t: dict) -> None:
    print()
    print(f"### {key}")
    print()
    print(f"Domain accuracy {fmt(t['domain_accuracy'])}; mean predicted fine "
          f"labels {fmt(t['mean_predicted_fine'])} (gold {fmt(t['mean_gold_fine'])}); "
          f"ECE over all (article, label) pairs {fmt(t['ece_all_pairs'])}, over output labels "
          f"{fmt(t['ece_output_labels'])}.")
    print()
    print("Reliability of output labels:")
    print()
    print("| confidence bin | n | mean confidence | precision |\n|---|---|---|---|")
    for row in t.get("reliability_output_labels", []):
        print(f"| {row['bin']} | {row['n']} | {row['confidence']} | {row['accuracy']} |")
    for level in ("coarse", "fine"):
        print()
        print(f"Per-label ({level}), support = gold articles:")
        print()
        print("| label | support | predicted | P | R | F1 |\n|---|---|---|---|---|---|")
        for lab, m in t.get(f"per_label_{level}", {}).items():
            if m["support"] or m["predicted"]:
                print(f"| {lab} | {m['support']} | {m['predicted']} | {m['precision']:.2f} | "
                      f"{m['recall']:.2f} | {m['f1']:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         "src/narrascope/resources/models/narratives/metrics.json")
