"""Entity roles (given mentions, SemEval subtask 1) on the real development set, by stance.

Reads ``../shared/dev-real`` (articles, ``subtask1.tsv`` gold roles, ``meta.jsonl``
stances), runs the pipeline with the gold mentions given, writes the predictions as
subtask-1 lines and scores them with :func:`narrascope.evaluate.score_st1` (the one
metric definition), overall and per stance.  Nothing of the set is written into the
repository.

    .venv/bin/python benchmarks/roles_devreal.py                      # default model
    .venv/bin/python benchmarks/roles_devreal.py --model DIR          # another role model
    .venv/bin/python benchmarks/roles_devreal.py --errors             # list the wrong mentions
    .venv/bin/python benchmarks/roles_devreal.py --set span_net=false --set stance=true
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from devreal_options import parse_options  # a sibling module of these scripts

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "dev-real"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--model", default=None, help="role model directory")
    ap.add_argument("--components", default="sentences,encoder,voice,entities",
                    help="pipeline (voice is skipped when it is not registered)")
    ap.add_argument("--set", action="append", default=[], metavar="OPT=VALUE",
                    help="entities component option")
    ap.add_argument("--errors", action="store_true", help="print each wrong mention")
    ap.add_argument("--pred", type=Path, default=None, help="also write the predictions here")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (args.dev / "subtask1.tsv").is_file():
        print(f"{args.dev}: no dev-real set here; nothing measured", file=sys.stderr)
        return {}

    import narrascope
    from narrascope.evaluate import score_st1
    from narrascope.read import read_articles
    from narrascope.read.semeval import attach_mentions, read_mentions
    from narrascope.registry import registry
    from narrascope.write.semeval import st1_lines

    names = [c for c in args.components.split(",") if c]
    known = set(registry.names()) if hasattr(registry, "names") else None
    if known is not None:
        names = [c for c in names if c in known]
    opts: dict[str, object] = {}
    if args.model:
        opts["model"] = args.model
    opts.update(parse_options(args.set))
    cfg = {"pipeline": {"components": names, "batch_size": 16}, "components": {"entities": opts}}
    nlp = narrascope.load(cfg)
    gold_path = args.dev / "subtask1.tsv"
    errs: list[str] = []
    mentions = read_mentions(gold_path, lambda e: errs.append(str(e)))
    stance = {}
    for line in (args.dev / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            stance[r["id"]] = r["stance"]
    files = sorted((args.dev / "articles").glob("*.txt"))
    keys = {k.removesuffix(".txt") for k in mentions}
    files = [f for f in files if f.stem in keys]
    arts = []
    for a in read_articles(files):
        attach_mentions(a, mentions, str(gold_path), lambda e: errs.append(str(e)))
        arts.append(a)
    lines: list[str] = []
    for a in nlp.pipe(arts):
        lines.extend(st1_lines(a))
    for e in errs:
        print(e, file=sys.stderr)
    gold_rows = [ln for ln in gold_path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)

        def score(name: str, keep) -> None:  # type: ignore[no-untyped-def]
            g = [ln for ln in gold_rows if keep(ln.split("\t")[0].removesuffix(".txt"))]
            p = [ln for ln in lines if keep(ln.split("\t")[0].removesuffix(".txt"))]
            if not g:
                return
            (t / "g.tsv").write_text("\n".join(g) + "\n", encoding="utf-8")
            (t / "p.tsv").write_text("\n".join(p) + "\n", encoding="utf-8")
            r = score_st1(t / "g.tsv", t / "p.tsv")
            out[name] = {"mentions": len(g), **{k: round(v, 4) for k, v in r.metrics.items()}}

        score("all", lambda _i: True)
        for st in sorted(set(stance.values())):
            score(st, lambda i, st=st: stance.get(i) == st)
    if args.pred:
        args.pred.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.errors:
        pred = {tuple(ln.split("\t")[:4]): ln.split("\t")[4:] for ln in lines}
        conf: Counter = Counter()
        for ln in gold_rows:
            c = ln.split("\t")
            p = pred.get(tuple(c[:4]), ["-"])
            conf[(c[4], p[0])] += 1
            if p[0] != c[4] or set(p[1:]) != set(c[5:]):
                print(f"{c[0]:16} {stance.get(c[0].removesuffix('.txt'), '?'):15} {c[1][:30]:30} "
                      f"gold {c[4]}/{','.join(c[5:])}  pred {p[0]}/{','.join(p[1:])}")
        by: dict[str, dict[str, int]] = defaultdict(dict)
        for (g, p), n in conf.items():
            by[g][p] = n
        print("confusion (gold -> predicted):", json.dumps(by, sort_keys=True))
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"{'stance':20} {'n':>4} {'EMR':>6} {'F1':>6} {'main':>6}")
        for k, v in out.items():
            print(f"{k:20} {v['mentions']:4d} {v['emr']:6.3f} {v['micro_f1']:6.3f} "
                  f"{v['main_role_accuracy']:6.3f}")
    return out


if __name__ == "__main__":
    main()
