"""The span network of the role model (components/entities/span_net.py)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from narrascope.components.entities import span_net as S  # noqa: E402
from narrascope.components.entities.model import RoleModel, default_model_dir  # noqa: E402
from narrascope.read.text import parse_text  # noqa: E402


def test_adapted_layers_start_as_the_shipped_encoder():
    """With zero adapters, the re-implemented top layers give the encoder's own output."""
    _, model = S._base()
    sents = ["The Kremlin regime of Vladimir Putin shelled Kharkiv again.",
             "Volunteers rescued families in Kherson overnight."]
    ids, _ = S.tokenize(sents, [[(22, 36)], [(0, 10)]])
    states = S.bottom_states(ids)
    net = S._nets()(3, 4)
    a, m = S._pad(ids)
    h = np.zeros((2, a.shape[1], S.DIM), np.float32)
    for i, st in enumerate(states):
        h[i, :len(st)] = st
    hh, mm = torch.from_numpy(h), torch.from_numpy(m).float()
    with torch.no_grad():
        for layer in net.layers:
            hh = layer(hh, mm)
        ref = model(input_ids=torch.from_numpy(a),
                    attention_mask=torch.from_numpy(m)).last_hidden_state
    for i, x in enumerate(ids):
        assert float((hh[i, :len(x)] - ref[i, :len(x)]).abs().max()) < 1e-4


def test_span_token_ranges_cover_the_mention():
    tok, _ = S._base()
    sent = "Yesterday President Volodymyr Zelensky thanked the volunteers."
    s = sent.index("Volodymyr Zelensky")
    ids, ranges = S.tokenize([sent], [[(s, s + len("Volodymyr Zelensky"))]])
    a, b = ranges[0][0]
    assert "".join(tok.convert_ids_to_tokens(ids[0][a:b])).replace("##", "") == "volodymyrzelensky"


def test_long_sentences_are_cut_around_the_mention():
    tok, _ = S._base()
    sent = " ".join(["filler"] * 300) + " NATO generals met. " + " ".join(["tail"] * 50)
    s = sent.index("NATO")
    ids, ranges = S.tokenize([sent], [[(s, s + 4)]])
    assert len(ids[0]) <= S.MAX_TOKENS
    a, b = ranges[0][0]
    assert tok.convert_ids_to_tokens(ids[0][a:b]) == ["nato"]


def _tiny():
    rng = np.random.default_rng(0)
    sents = ["The invaders shelled the village again.", "Brave medics saved the children.",
             "Officials met in Geneva on Tuesday.", "The regime lied to its own people."]
    spans = [[(4, 12)], [(6, 12)], [(0, 9)], [(4, 10)]]
    ids, ranges = S.tokenize(sents, spans)
    states = S.bottom_states(ids)
    sent_idx = np.arange(4)
    rr = [r[0] for r in ranges]
    small = rng.normal(size=(4, 5)).astype(np.float32)
    Ym = np.eye(4, dtype=np.int8)[[1, 0, 3, 1]]
    Yf = np.zeros((4, 3), dtype=np.int8)
    Yf[[0, 1, 3], [0, 1, 0]] = 1
    return states, sent_idx, rr, small, Ym, Yf


def test_fit_is_deterministic_and_survives_save_and_load(tmp_path):
    states, sent_idx, rr, small, Ym, Yf = _tiny()
    labels = (["Antagonist", "Protagonist", "Innocent", "none"], ["a", "b", "c"])
    w = np.ones(4)
    one = S.SpanRoleNet(*labels, epochs=2, batch_size=2).fit(states, sent_idx, rr, small, Ym, Yf, w)
    two = S.SpanRoleNet(*labels, epochs=2, batch_size=2).fit(states, sent_idx, rr, small, Ym, Yf, w)
    p1 = one.predict_proba(states, sent_idx, rr, small)
    p2 = two.predict_proba(states, sent_idx, rr, small)
    assert np.array_equal(p1[0], p2[0]) and np.array_equal(p1[1], p2[1])
    assert np.allclose(p1[0].sum(1), 1.0, atol=1e-5)
    digest = one.save(tmp_path)
    back = S.SpanRoleNet.load(tmp_path, expected_sha256=digest)
    p3 = back.predict_proba(states, sent_idx, rr, small)
    assert np.allclose(p1[0], p3[0]) and np.allclose(p1[1], p3[1])
    assert back.main_labels == labels[0] and back.fine_labels == labels[1]
    with pytest.raises(ValueError, match="do not belong together"):
        S.SpanRoleNet.load(tmp_path, expected_sha256="0" * 64)


def test_shipped_role_model_carries_a_checked_span_net(tmp_path):
    d = default_model_dir()
    meta = json.loads((d / "model.json").read_text())
    assert (d / S.FILE).stat().st_size < 1_000_000
    assert 0 < meta["span_weight"] < 1
    model = RoleModel.load(d)
    assert model.span_net is not None and model.span_weight == meta["span_weight"]
    copy = tmp_path / "roles"
    shutil.copytree(d, copy)
    with np.load(copy / S.FILE) as z:
        arrays = {k: z[k] for k in z.files}
    key = next(k for k in arrays if k.endswith(".B"))
    arrays[key] = arrays[key] + 1.0
    np.savez(copy / S.FILE, **arrays)
    with pytest.raises(ValueError, match="SHA-256"):
        RoleModel.load(copy)


@pytest.mark.parametrize("chunk", [1, 8])
def test_span_probabilities_follow_the_rows_of_the_batch(chunk, monkeypatch):
    """Probabilities for two articles in one batch equal those of each article alone
    (whether the network sees the batch in one chunk or one article at a time)."""
    import narrascope.components.entities.model as model_mod

    monkeypatch.setattr(model_mod, "SPAN_CHUNK", chunk)
    from narrascope.components.entities.aliases import load_table
    from narrascope.components.entities.component import ensure_sentences, mention_ref
    from narrascope.components.entities.features import build, resolve_canonicals, side_of

    model = RoleModel.load()
    table = load_table(None)
    texts = ["Russian troops shelled Kharkiv again. Volunteers evacuated the families.",
             "NATO leaders praised Kyiv. The Kremlin called the talks a provocation."]
    arts, refs = [], []
    for i, t in enumerate(texts):
        art = parse_text(t, f"a{i}")
        ensure_sentences(art)
        starts = [s.start for s in art.sentences]
        words = ["Russian troops", "Volunteers", "families"] if i == 0 else [
            "NATO leaders", "Kyiv", "Kremlin"]
        surfaces = words
        canons = resolve_canonicals(table, surfaces)
        rs = []
        for w, c in zip(words, canons, strict=True):
            s = t.index(w)
            rs.append(mention_ref(art, starts, s, s + len(w), c, side_of(table, c, w)))
        arts.append(art)
        refs.append(rs)
    X = build(arts, refs, model.window_words)
    both = model.span_probs(arts, refs, X)
    alone = [model.span_probs([a], [r], build([a], [r], model.window_words))
             for a, r in zip(arts, refs, strict=True)]
    assert both is not None and all(x is not None for x in alone)
    assert np.allclose(both[0], np.vstack([alone[0][0], alone[1][0]]), atol=1e-5)
    assert np.allclose(both[1], np.vstack([alone[0][1], alone[1][1]]), atol=1e-5)
    # every layer on ONNX Runtime (the default) gives the torch network's probabilities
    monkeypatch.setenv("NARRASCOPE_SPAN_BACKEND", "torch")
    on_torch = model.span_probs(arts, refs, X)
    assert on_torch is not None and model.span_net is not None
    assert model.span_net.onnx_session() is None
    monkeypatch.setenv("NARRASCOPE_SPAN_BACKEND", "onnx")
    assert model.span_net.onnx_session() is not None
    assert np.allclose(both[0], on_torch[0], atol=1e-4)
    assert np.allclose(both[1], on_torch[1], atol=1e-4)


def test_component_averages_the_span_net_unless_turned_off():
    """Given mentions: with ``span_net = false`` the confidences are the linear heads'
    alone; by default the span network's probabilities are averaged in."""
    from narrascope.components.entities.features import build
    from narrascope.doc import Article, GivenMention
    from narrascope.registry import registry

    text = ("The Kremlin ordered new strikes on Kharkiv. Volunteers carried the wounded "
            "children out of the rubble, and the mayor thanked them.")
    given = [GivenMention(start=text.index(w), end=text.index(w) + len(w), text=w)
             for w in ("Kremlin", "Volunteers", "children")]
    sent = registry.create("sentences")
    out = {}
    for flag in (True, False):
        comp = registry.create("entities", {"span_net": flag})
        art = list(comp.pipe(list(sent.pipe([Article(id="s", text=text,
                                                     given_mentions=given)]))))[0]
        out[flag] = {m.text: m.main_role.confidence for e in art.entities for m in e.mentions}
    assert set(out[True]) == set(out[False]) == {"Kremlin", "Volunteers", "children"}
    assert out[True] != out[False]
    # the linear-only confidences are the linear heads' own
    comp = registry.create("entities", {"span_net": False})
    art = list(sent.pipe([Article(id="s", text=text)]))[0]
    from narrascope.components.entities.component import ensure_sentences, mention_ref
    from narrascope.components.entities.features import resolve_canonicals, side_of

    ensure_sentences(art)
    starts = [s.start for s in art.sentences]
    canons = resolve_canonicals(comp.table, [g.text for g in given])
    refs = [mention_ref(art, starts, g.start, g.end, c, side_of(comp.table, c, g.text))
            for g, c in zip(given, canons, strict=True)]
    preds = comp.model.predict(build([art], [refs], comp.model.window_words), forced=True,
                               entity_groups=[("s", c) for c in canons])
    assert [round(p.main_confidence, 4) for p in preds] == [out[False][g.text] for g in given]


def test_loaded_span_net_digest_matches_the_built_network():
    """A loaded model keys its ONNX export by the stored arrays without building the
    torch network; the digest is the same once the network is built from them."""
    model = RoleModel.load(default_model_dir())
    net = model.span_net
    assert net is not None and net._net is None, "loading builds no torch network"
    lazy = net.digest()
    assert net._net is None
    assert net.net is not None  # built on demand
    params = net._params()
    assert list(params) == S.adapter_names(net.net)
    assert net.digest() == lazy


INFERENCE_IMPORTS = """
import sys
from narrascope.pipeline import Pipeline
from narrascope.profiles import profile_config
from narrascope.doc import Article
nlp = Pipeline.from_config(profile_config("default"))
art = nlp(Article(id="a", text="NATO said on Monday that Russian forces attacked Kyiv. "
                  "The EU condemned the strike, officials in Brussels said."))
assert art.entities, "the entities component ran"
print(",".join(m for m in ("sentence_transformers",) if m in sys.modules))
"""


def test_inference_loads_no_sentence_transformer_once_exports_are_cached(tmp_path):
    """Memory: with the ONNX exports in the cache, the default pipeline checks the
    encoder's files and tokenizes without building a SentenceTransformer (~300 MB)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, NARRASCOPE_CACHE_DIR=str(tmp_path), HF_HUB_OFFLINE="1")
    first = subprocess.run([sys.executable, "-c", INFERENCE_IMPORTS], env=env,
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    assert list((tmp_path / "onnx").glob("roles-span-*.onnx")), "first run exported"
    second = subprocess.run([sys.executable, "-c", INFERENCE_IMPORTS], env=env,
                            capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.stdout.strip().splitlines()[-1:] in ([], [""]), second.stdout
