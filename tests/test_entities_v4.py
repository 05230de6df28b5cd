"""Entity roles, features version 4: narrative profile blocks, model/version checks,
one fine role per given mention, widened sides, described groups in automatic mode."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from narrascope.components.entities.aliases import load_table
from narrascope.components.entities.features import (
    BLOCKS,
    NARR_DIM,
    PROFILE_SUBDIR,
    block_widths,
    default_profile_dir,
    n_features,
    narrative_profile,
    narratives_model_digest,
    side_of,
)
from narrascope.components.entities.model import RoleModel, default_model_dir
from narrascope.doc import Article, GivenMention
from narrascope.registry import registry

PRO_KREMLIN = (
    "The Kiev regime keeps shelling the peaceful towns of Donbass with NATO weapons. "
    "Zelensky's clique steals Western aid while Ukrainian conscripts are thrown into the "
    "meat grinder. Washington wants the war to last to the last Ukrainian. Russia has "
    "always offered peace talks, and the Russian army protects the civilians of Donetsk.")


@pytest.fixture(scope="module")
def comps():
    return registry.create("sentences"), registry.create("encoder"), registry.create("entities")


def run(comps, *articles: Article) -> list[Article]:
    out = list(articles)
    for c in comps:
        out = list(c.pipe(out))
    return out


def test_blocks_add_up() -> None:
    w = block_widths()
    assert list(w) == BLOCKS
    # version 4: 3,170 columns; version 5 adds the syntax block and its side interaction
    assert n_features() == sum(w.values()) == 3170 + 2 * w["syntax"]
    assert w["syntax"] == w["side_x_syntax"] > 0
    assert all(w[b] == NARR_DIM for b in BLOCKS if "narr" in b)


def test_narrative_profile_reads_the_slant(comps) -> None:
    from narrascope.components.encoder import sentence_vectors
    from narrascope.components.narratives.model import load_model

    art = run(comps[:2], Article(id="p", text=PRO_KREMLIN))[0]
    prof = narrative_profile(art, sentence_vectors(art))
    m = load_model(default_profile_dir())
    labels = [m.labels[i] for i in [*m.dom_idx, *m.nar_idx]]
    assert prof.shape == (NARR_DIM,) and np.all((prof >= 0) & (prof <= 1))
    assert prof[labels.index("URW")] > prof[labels.index("CC")]
    assert prof[labels.index("URW: Discrediting Ukraine")] > 0.5


def test_model_with_old_features_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "roles"
    shutil.copytree(default_model_dir(), d)
    meta = json.loads((d / "model.json").read_text())
    meta["features_version"] = 3
    (d / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="features version 3.*retrain"):
        RoleModel.load(d)


def test_role_model_carries_its_narrative_profile_head() -> None:
    model = RoleModel.load()
    assert model.profile_dir == default_model_dir() / PROFILE_SUBDIR
    assert narratives_model_digest(model.profile_dir) == model.meta["narratives_model_digest"]


def test_model_refuses_a_changed_profile_head(tmp_path: Path) -> None:
    d = tmp_path / "roles"
    shutil.copytree(default_model_dir(), d)
    meta = json.loads((d / "model.json").read_text())
    assert meta["narratives_model_digest"] and meta["max_fine"] == 1
    meta["narratives_model_digest"] = "0" * 16
    (d / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="narrative-profile head"):
        RoleModel.load(d)


def test_model_without_own_head_warns_when_narratives_model_changed(tmp_path: Path) -> None:
    d = tmp_path / "roles"
    shutil.copytree(default_model_dir(), d)
    shutil.rmtree(d / PROFILE_SUBDIR)
    meta = json.loads((d / "model.json").read_text())
    meta["narratives_model_digest"] = "0" * 16
    (d / "model.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="another shipped narratives model"):
        RoleModel.load(d)


def test_saved_model_copies_its_profile_head(tmp_path: Path) -> None:
    model = RoleModel.load()
    model.save(tmp_path / "m")
    copy = tmp_path / "m" / PROFILE_SUBDIR
    assert narratives_model_digest(copy) == model.meta["narratives_model_digest"]
    assert (copy / "taxonomy.yaml").is_file()
    assert RoleModel.load(tmp_path / "m").profile_dir == copy


def test_given_mentions_get_exactly_one_fine_role(comps) -> None:
    text = PRO_KREMLIN
    given = []
    for surface in ("Kiev regime", "Zelensky", "Washington", "Russia", "civilians of Donetsk"):
        s = text.index(surface)
        given.append(GivenMention(text=surface, start=s, end=s + len(surface)))
    art = run(comps, Article(id="g", text=text, given_mentions=given))[0]
    mentions = [m for e in art.entities for m in e.mentions]
    assert len(mentions) == len(given)
    for m in mentions:
        assert m.main_role is not None and len(m.fine_roles) == 1


def test_widened_sides() -> None:
    table = load_table(None)
    for name, side in [("Germany", "west"), ("Donald Tusk", "west"), ("BBC", "west"),
                       ("Maia Sandu", "west"), ("Viktor Orban", "ru"), ("Pyongyang", "ru"),
                       ("Georgian Dream", "ru"), ("Greta Thunberg", "green")]:
        canon = table.lookup(name) or name
        assert side_of(table, canon, name) == side, name
    assert side_of(table, "French military", "French military") == "west"
    assert side_of(table, "mobilised men", "mobilised men") == "civilian"
    assert side_of(table, "those of us", "those of us") is None  # "us" is not "US"


def test_automatic_mode_finds_groups(comps) -> None:
    text = ("Local residents of Kherson spent the night in basements as shelling continued. "
            "TCC officers detained three men at a bus stop, witnesses said. "
            "Climate activists blocked the motorway for the third day.")
    art = run(comps, Article(id="grp", text=text))[0]
    names = {e.canonical for e in art.entities}
    assert any("residents" in n for n in names), names
    assert any("activists" in n for n in names), names
    for e in art.entities:
        for m in e.mentions:
            assert text[m.start:m.end] == m.text
    sent, enc, _ = comps
    plain = registry.create("entities", {"find_groups": False})
    art2 = list(plain.pipe(list(enc.pipe(list(sent.pipe([Article(id="g2", text=text)]))))))[0]
    assert not any("activists" in e.canonical for e in art2.entities)


def test_titled_person_names_resolve() -> None:
    table = load_table(None)
    assert table.lookup("Russian Foreign Minister Sergei Lavrov") == "Sergei Lavrov"
    assert table.lookup("President Maia Sandu") == "Maia Sandu"
    assert table.lookup("Mr Putin") == "Vladimir Putin"
    assert table.lookup("Macron and Putin") is None  # two people, not a title
    assert table.lookup("friends of Vladimir Putin") is None
    assert table.lookup("Russian Foreign Ministry") == "Russian Foreign Ministry"  # not a person suffix
    assert side_of(table, "Sergei Lavrov", "Foreign Minister Sergei Lavrov") == "ru"


def test_fine_prior_reranks_fine_roles_only() -> None:
    from narrascope.components.entities.component import ensure_sentences, mention_ref
    from narrascope.components.entities.features import build, resolve_canonicals
    from narrascope.read.text import parse_text

    model = RoleModel.load()
    assert model.meta["fine_prior"] == {"Instigator": 0.65}
    table = load_table(None)
    art = parse_text(PRO_KREMLIN, "fp")
    ensure_sentences(art)
    starts = [s.start for s in art.sentences]
    words = ["Washington", "Zelensky"]
    refs = []
    for w, c in zip(words, resolve_canonicals(table, words), strict=True):
        s = PRO_KREMLIN.index(w)
        refs.append(mention_ref(art, starts, s, s + len(w), c, side_of(table, c, w)))
    X = build([art], [refs], model.window_words, model.profile_dir)
    before = model.predict(X, forced=True)
    top = [p.fines[0][0] for p in before]
    model.meta = {**model.meta, "fine_prior": dict.fromkeys(top, 0.0)}
    after = model.predict(X, forced=True)
    assert [p.main for p in after] == [p.main for p in before]
    assert all(p.fines[0][0] not in top for p in after)
