"""Entity roles on the synthetic held-out articles (given mentions), for a role model.

The held-out whole articles of ``data/roles`` (:func:`is_heldout_doc`, the same split as
``narrascope train roles``), featurised by the model's own narrative-profile head and
scored with the training report's metrics; ``--span-backend torch`` runs the span
network on torch instead of ONNX Runtime (the two agree to ~1e-5).

    .venv/bin/python benchmarks/roles_heldout.py                 # the shipped model
    .venv/bin/python benchmarks/roles_heldout.py --model DIR
"""

from __future__ import annotations

import argparse
import json
import os


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", default=None, help="role model directory")
    ap.add_argument("--data", default=None, help="role data directory (default: data/roles)")
    ap.add_argument("--span-backend", choices=["onnx", "torch"], default="onnx")
    a = ap.parse_args(argv)
    os.environ["NARRASCOPE_SPAN_BACKEND"] = a.span_backend
    from narrascope.components.entities.model import RoleModel
    from narrascope.train.entities import training as T

    model = RoleModel.load(a.model)
    d = a.data or T.default_data_dir()
    test = [ex for ex in T.read_docs(d) if T.is_heldout_doc(ex.group)]
    X = T.embed_examples(test, model.window_words, profile_dir=model.profile_dir)
    out = {"articles": len({ex.group for ex in test}), **T.evaluate(model, X, test)}
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
