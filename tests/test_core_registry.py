from __future__ import annotations

import pytest

from narrascope import Article, Component, Pipeline, registry


@registry.component("test_upper_count", assigns=["metadata.upper"], requires=["sentences"])
class UpperCount(Component):
    def __init__(self, name: str = "test_upper_count", key: str = "upper") -> None:
        self.name = name
        self.key = key

    def __call__(self, article: Article) -> Article:
        article.metadata[self.key] = sum(c.isupper() for c in article.text)
        return article


def test_component_options_come_from_config() -> None:
    nlp = Pipeline.from_config(
        {"pipeline": {"components": ["sentences", "test_upper_count"]},
         "components": {"test_upper_count": {"key": "caps"}}}
    )
    art = nlp(Article(id="a", text="ABC def. Ghi."))
    assert art.metadata["caps"] == 4
    assert art.components == ["sentences", "test_upper_count"]
    assert [s.text for s in art.sentences] == ["ABC def.", "Ghi."]


def test_unknown_option_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="does not take option"):
        Pipeline.from_config({"pipeline": {"components": ["sentences"]},
                              "components": {"sentences": {"bogus": 1}}})


def test_unknown_component_lists_known_ones() -> None:
    with pytest.raises(KeyError, match="known components"):
        Pipeline.from_config({"pipeline": {"components": ["nope"]}})


def test_requirements_are_checked() -> None:
    with pytest.raises(ValueError, match="needs sentences"):
        Pipeline.from_config({"pipeline": {"components": ["test_upper_count"]}})


def test_pipe_streams_batches_and_clears_cache() -> None:
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences"]}})
    arts = [Article(id=str(i), text=f"Sentence {i}. Another one.") for i in range(7)]
    for a in arts:
        a.cache["x"] = 1
    out = list(nlp.pipe(iter(arts), batch_size=3))
    assert [a.id for a in out] == [str(i) for i in range(7)]
    assert all(not a.cache for a in out)


@registry.component("test_fails_on_bad", requires=["sentences"])
class FailsOnBad(Component):
    def __init__(self, name: str = "test_fails_on_bad") -> None:
        self.name = name

    def __call__(self, article: Article) -> Article:
        if "BAD" in article.text:
            raise ValueError("hostile input")
        article.metadata["ok"] = True
        return article


def test_on_error_isolates_the_failing_article() -> None:
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "test_fails_on_bad"]}})
    arts = [Article(id=str(i), text="BAD one." if i == 2 else "Fine.") for i in range(5)]
    errors: list[tuple[str, str]] = []
    out = list(nlp.pipe(arts, batch_size=5, on_error=lambda a, m: errors.append((a.id, m))))
    assert [a.id for a in out] == ["0", "1", "2", "3", "4"]
    assert [a.metadata.get("ok") for a in out] == [True, True, None, True, True]
    assert errors == [("2", "error in component test_fails_on_bad: ValueError: hostile input")]
    assert out[2].components == ["sentences"] and out[2].warnings


def test_without_on_error_the_exception_propagates() -> None:
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "test_fails_on_bad"]}})
    with pytest.raises(ValueError, match="hostile"):
        list(nlp.pipe([Article(id="x", text="BAD.")]))


def test_local_component_module_next_to_the_config_file(tmp_path) -> None:
    (tmp_path / "test_local_shout.py").write_text(
        "from narrascope import Component, registry\n\n"
        "@registry.component('test_local_shout')\n"
        "class Shout(Component):\n"
        "    def __init__(self, name='test_local_shout'):\n"
        "        self.name = name\n"
        "    def __call__(self, article):\n"
        "        article.metadata['shout'] = article.text.upper()\n"
        "        return article\n"
    )
    cfg = tmp_path / "my.toml"
    cfg.write_text('[pipeline]\ncomponents = ["sentences", "test_local_shout"]\n')
    art = Pipeline.from_config(cfg)(Article(id="a", text="hi."))
    assert art.metadata["shout"] == "HI."
