"""Pluggable encoders: a tiny model2vec static model the tests distil themselves from the
packaged MiniLM, ONNX Runtime against torch, an embeddings endpoint (the project's local
server), the refusal of heads trained for another encoder, and profiles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from narrascope.components import encoder as E

SENTS = ["NATO troops are massing near the border, the ministry claimed.",
         "Farmers protest against new climate rules in Brussels.",
         "The vaccine rollout was a plot by global elites, the blog said.",
         "Kyiv said the talks would go on next week."]


@pytest.fixture(scope="module")
def tiny_static(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A model2vec static model over a small word vocabulary, each word's vector the
    packaged MiniLM's embedding of that word (a distillation on a tiny vocabulary)."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = sorted({w.strip(".,").lower() for s in SENTS for w in s.split()})
    vocab = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate(words)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    from tokenizers import normalizers

    tok.normalizer = normalizers.Lowercase()
    vecs = np.vstack([np.zeros((1, E.DIM), np.float32),
                      E.load_encoder("default", "torch").encode(words)])
    out = tmp_path_factory.mktemp("m2v") / "tiny"
    StaticModel(vecs, tok, config={"model_type": "model2vec", "normalize": True},
                normalize=True).save_pretrained(str(out))
    return out


def test_tiny_static_encoder_loads_with_its_own_id(tiny_static: Path) -> None:
    enc = E.load_encoder(str(tiny_static))
    assert isinstance(enc, E.StaticEncoder) and enc.id.startswith("model2vec:")
    v = enc.encode(SENTS)
    assert v.shape == (4, E.DIM)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.allclose(enc.encode(SENTS[:1])[0], v[0], atol=1e-6)
    assert float(v[0] @ v[1]) < 0.9999


def test_pipeline_uses_the_configured_encoder_and_heads_refuse_another(tiny_static: Path
                                                                       ) -> None:
    from narrascope.doc import Article
    from narrascope.pipeline import Pipeline

    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "encoder"]},
                                "components": {"encoder": {"model": str(tiny_static)}}})
    art = next(nlp.pipe([Article(id="a", text=" ".join(SENTS))]))
    assert E.encoder_id().startswith("model2vec:")
    assert nlp.get("encoder").model_name == E.encoder_id()
    assert art.vector is not None and art.vector.shape == (E.DIM,)
    with pytest.raises(E.EncoderMismatch, match="trained for encoder 'all-MiniLM-L6-v2'"):
        E.check_trained_for(None, "the narratives model", "narrascope train narratives")
    E.check_trained_for(E.encoder_id(), "x", "y")
    E.configure("default", "torch")
    E.check_trained_for(None, "the narratives model", "y")


def test_onnx_fp32_matches_torch() -> None:
    torch_vecs = E.load_encoder("default", "torch").encode(SENTS)
    onnx = E.load_encoder("default", "onnx")
    assert onnx.id == E.MODEL_NAME
    cos = (onnx.encode(SENTS) * torch_vecs).sum(axis=1)
    assert cos.min() >= 0.999
    meta = json.loads(E.onnx_path().with_suffix(".json").read_text())
    assert meta["sha256"] == E.file_sha256(E.onnx_path())
    assert meta["source_sha256"] == E.MODEL_SHA256


def test_onnx_int8_default_within_tolerance() -> None:
    """The default backend quantises the attention projections only: every sentence
    within cosine 0.99 of torch (the full dynamic int8 model was not)."""
    import onnx

    assert E.DEFAULT_BACKEND == "onnx-int8"
    torch_vecs = E.load_encoder("default", "torch").encode(SENTS)
    int8 = E.load_encoder("default")
    assert int8.id == E.MODEL_NAME and "int8" in int8.description
    assert ((int8.encode(SENTS) * torch_vecs).sum(axis=1)).min() >= 0.99
    ops = {n.op_type for n in onnx.load(str(E.onnx_path(int8=True))).graph.node}
    assert "MatMulInteger" in ops and "MatMul" in ops  # partly quantised


def test_embeddings_endpoint() -> None:
    pytest.importorskip("openai")
    from narrascope.testing.llm_server import LocalLLMServer

    with LocalLLMServer(models=["embed-small"]) as server:
        enc = E.load_encoder(server.url, api_model="embed-small")
        v = enc.encode(SENTS, batch_size=3)
        assert v.shape[0] == 4 and enc.id.startswith("http:")
        assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
        again = enc.encode(SENTS[:1])
        assert np.allclose(again[0], v[0], atol=1e-6)  # deterministic answers


def test_bad_encoder_specs() -> None:
    with pytest.raises(FileNotFoundError):
        E.load_encoder("/no/such/model")
    with pytest.raises(ValueError, match="backend"):
        E.load_encoder("default", "tpu")


def test_fast_profile_config() -> None:
    from narrascope.profiles import apply_profile, profile_config, profile_names

    assert "fast" in profile_names()
    cfg = profile_config("fast")
    assert cfg["components"]["encoder"]["model"] == "fast"
    assert cfg["components"]["entities"]["span_net"] is False
    assert "{profile}" not in cfg["components"]["narratives"]["model"]
    mine = apply_profile({"profile": "fast", "components": {"narratives": {"max_evidence": 1}}})
    assert mine["components"]["narratives"]["max_evidence"] == 1
    assert mine["components"]["encoder"]["model"] == "fast"
    with pytest.raises(ValueError, match="unknown profile"):
        profile_config("turbo")


def test_language_routing(tiny_static: Path, tmp_path: Path) -> None:
    from narrascope.doc import Article
    from narrascope.profiles import LanguageRouter, build

    (tmp_path / "ru.toml").write_text(
        '[pipeline]\ncomponents = ["sentences", "encoder"]\n'
        f'[components.encoder]\nmodel = "{tiny_static}"\n', encoding="utf-8")
    main = tmp_path / "main.toml"
    main.write_text('[pipeline]\ncomponents = ["sentences", "encoder"]\n'
                    '[components.encoder]\nbackend = "torch"\n'
                    '[languages]\nen = "default"\nru = "ru.toml"\n', encoding="utf-8")
    nlp = build(main)
    assert isinstance(nlp, LanguageRouter)
    text = " ".join(SENTS)
    arts = [Article(id=f"x{i}", text=text, language=lang)
            for i, lang in enumerate(["en", "ru", "de", "en"])]
    out = list(nlp.pipe(arts, batch_size=4))
    assert [a.id for a in out] == ["x0", "x1", "x2", "x3"]
    en, ru, de, en2 = out
    assert np.allclose(en.vector, en2.vector, atol=1e-5)
    assert not np.allclose(en.vector, ru.vector, atol=1e-3)  # the tiny static model
    assert de.vector is None and any("English-only layers withheld" in w for w in de.warnings)
    assert not any("withheld" in w for w in en.warnings + ru.warnings)
