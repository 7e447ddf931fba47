"""The catalogue's filter language, index, view and cache (no UI)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bytez_tui.catalogue.cache import cache_path, load_cached, save_cache
from bytez_tui.catalogue.index import CatalogueIndex, RamByModel
from bytez_tui.catalogue.query import Query, QueryError, compile_query
from bytez_tui.catalogue.view import CatalogueView
from bytez_tui.clock import utc
from bytez_tui.models import ModelInfo

MODELS = [
    ModelInfo("meta-llama/Llama-2-7b-chat-hf", 26.5, True),
    ModelInfo("openai-community/gpt2", 0.5, True),
    ModelInfo("microsoft/phi-1.onnx.8-bit", None, False),
    ModelInfo("meta-llama/Llama-2-70b-hf", 260.0, True),
    ModelInfo("roneneldan/TinyStories-8M", 0.37, True),
    ModelInfo("meta-llamaX/odd", 2.5, True),
    ModelInfo("tiiuae/falcon-40b-instruct", 182.0, True),
    ModelInfo("EleutherAI/gpt-neo-2.7B.onnx.32-bit", None, False),
]


@pytest.fixture
def index() -> CatalogueIndex:
    return CatalogueIndex.from_models(MODELS)


def names(
    index: CatalogueIndex,
    query: str,
    running: frozenset[str] = frozenset(),
    tracked: frozenset[str] = frozenset(),
) -> list[str]:
    rows = compile_query(query).filter(index, running=running, tracked=tracked)
    return [index.names[row] for row in rows]


def test_empty_query_matches_everything_in_order(index: CatalogueIndex) -> None:
    assert names(index, "   ") == [model.name for model in MODELS]
    assert not compile_query("")


def test_words_and_match_case_insensitive_substrings(index: CatalogueIndex) -> None:
    assert names(index, "LLAMA 2-7") == [
        "meta-llama/Llama-2-7b-chat-hf",
        "meta-llama/Llama-2-70b-hf",
    ]
    assert names(index, "llama chat") == ["meta-llama/Llama-2-7b-chat-hf"]
    assert names(index, "nothing-like-this") == []


def test_negated_word_excludes(index: CatalogueIndex) -> None:
    assert "onnx" not in " ".join(names(index, "-onnx"))
    assert len(names(index, "-onnx")) == 6


def test_a_lone_dash_is_ignored_while_typing(index: CatalogueIndex) -> None:
    assert names(index, "gpt -") == names(index, "gpt")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ram<8", {"openai-community/gpt2", "roneneldan/TinyStories-8M", "meta-llamaX/odd"}),
        ("ram<=0.5", {"openai-community/gpt2", "roneneldan/TinyStories-8M"}),
        ("ram>=2.5 ram<30", {"meta-llama/Llama-2-7b-chat-hf", "meta-llamaX/odd"}),
        ("ram>200", {"meta-llama/Llama-2-70b-hf"}),
        ("ram=2.5", {"meta-llamaX/odd"}),
        ("RAM==2.5", {"meta-llamaX/odd"}),
        ("cost<0.06", {"openai-community/gpt2", "roneneldan/TinyStories-8M"}),
    ],
)
def test_ram_and_cost_facets(index: CatalogueIndex, query: str, expected: set[str]) -> None:
    assert set(names(index, query)) == expected


def test_models_without_ram_never_match_a_ram_facet(index: CatalogueIndex) -> None:
    assert "microsoft/phi-1.onnx.8-bit" not in names(index, "ram>=0")
    assert "microsoft/phi-1.onnx.8-bit" in names(index, "-ram>=0")


def test_bench_facets(index: CatalogueIndex) -> None:
    assert names(index, "-bench") == [
        "microsoft/phi-1.onnx.8-bit",
        "EleutherAI/gpt-neo-2.7B.onnx.32-bit",
    ]
    assert len(names(index, "bench")) == 6
    assert names(index, "benchmarked gpt") == ["openai-community/gpt2"]


def test_org_facet_matches_the_org_prefix_case_insensitively(index: CatalogueIndex) -> None:
    assert names(index, "org:Meta-Llama 70b") == ["meta-llama/Llama-2-70b-hf"]
    assert set(names(index, "org:meta-llama")) == {
        "meta-llama/Llama-2-7b-chat-hf",
        "meta-llama/Llama-2-70b-hf",
        "meta-llamaX/odd",
    }
    assert "meta-llama/Llama-2-70b-hf" not in names(index, "-org:meta")


def test_running_and_tracked_facets_use_the_context(index: CatalogueIndex) -> None:
    running = frozenset({"openai-community/gpt2", "not/in-catalogue"})
    assert names(index, "running", running=running) == ["openai-community/gpt2"]
    assert names(index, "running") == []
    assert len(names(index, "-running", running=running)) == len(MODELS) - 1
    tracked = frozenset({"tiiuae/falcon-40b-instruct"})
    assert names(index, "tracked", tracked=tracked) == ["tiiuae/falcon-40b-instruct"]
    assert compile_query("running x").uses_running
    assert compile_query("-tracked").uses_tracked
    assert not compile_query("llama").uses_running


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("ram<", "ram< needs a number"),
        ("ram<x", "'x' is not a number"),
        ("ram>=nan", "not a finite number"),
        ("ram!=3", "'!=' is not a comparison"),
        ("task:summarization", "unknown facet 'task:'"),
        ("org:", "org: needs a name"),
        ("size>3", "only ram and cost take"),
    ],
)
def test_invalid_facets_say_why(query: str, reason: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(f"llama {query}")
    assert reason in caught.value.message
    assert caught.value.term == query


def test_within_keeps_the_given_order(index: CatalogueIndex) -> None:
    within = [4, 1, 0]
    assert compile_query("").filter(index, within=within) == within
    assert compile_query("gpt2").filter(index, within=within) == [1]


def test_narrowing(index: CatalogueIndex) -> None:
    def narrows(new: str, old: str) -> bool:
        return compile_query(new).narrows(compile_query(old))

    assert narrows("llama", "lla")
    assert narrows("lla 7b", "lla")
    assert narrows("lla", "")
    assert narrows("org:meta-l", "org:meta")
    assert narrows("-onnx", "-onn") is False
    assert narrows("-onn", "-onnx")
    assert narrows("ram<80", "ram<8") is False
    assert narrows("bench llama", "bench")
    assert narrows("-bench", "bench") is False
    assert narrows("lla", "llama") is False


def test_sorting_is_stable_with_nulls_last_both_ways(index: CatalogueIndex) -> None:
    def ram_order(descending: bool) -> list[float | None]:
        return [index.ram[row] for row in index.order("ram", descending=descending)]

    assert ram_order(False) == [0.37, 0.5, 2.5, 26.5, 182.0, 260.0, None, None]
    assert ram_order(True) == [260.0, 182.0, 26.5, 2.5, 0.5, 0.37, None, None]
    nulls = [index.names[row] for row in index.order("cost")[-2:]]
    assert nulls == ["microsoft/phi-1.onnx.8-bit", "EleutherAI/gpt-neo-2.7B.onnx.32-bit"]
    ids = [index.names[row] for row in index.order("id")]
    assert ids == sorted(ids, key=str.lower)


def test_find_is_exact_then_case_insensitive(index: CatalogueIndex) -> None:
    assert index.find("openai-community/gpt2") == 1
    assert index.find("OPENAI-community/GPT2") == 1
    assert index.find("nope/nope") is None


def test_cache_round_trip(index: CatalogueIndex) -> None:
    fetched = datetime(2024, 7, 1, 9, 0, tzinfo=utc)
    path = save_cache(MODELS, fetched_at=fetched, store_key="https://api.example")
    assert path == cache_path("https://api.example/")
    cached = load_cached("https://api.example")
    assert cached is not None
    assert cached.fetched_at == fetched
    index = cached.index
    models = [ModelInfo(*row) for row in zip(index.names, index.ram, index.bench, strict=True)]
    assert sorted(models, key=lambda m: m.name) == sorted(MODELS, key=lambda m: m.name)
    # Stored in id order, so the default sort costs nothing.
    assert cached.index.order("id") == list(range(len(MODELS)))
    assert load_cached("https://other.example") is None


@pytest.mark.parametrize(
    "damage",
    ["", "not json\n", '{"version": 99}\nx/y', '{"version": 1, "fetched_at": "x"}\n'],
)
def test_a_damaged_cache_is_a_miss(damage: str) -> None:
    path = cache_path("https://api.example")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(damage)
    assert load_cached("https://api.example") is None


def _header(**changes: object) -> str:
    meta: dict[str, object] = {
        "version": 1,
        "fetched_at": "2024-07-01T09:00:00+00:00",
        "count": 2,
        "ram": [0.5, None],
        "bench": "10",
    }
    meta.update(changes)
    return json.dumps(meta)


@pytest.mark.parametrize(
    "header",
    [
        _header(ram=["0.5", None]),
        _header(ram=[True, None]),
        _header(ram=[-1.0, None]),
        _header(ram=[{"gb": 1}, None]),
        _header().replace("0.5", "NaN"),
        _header().replace("0.5", "Infinity"),
        _header(bench="12"),
        _header(bench=10),
        _header(count="2"),
        _header(fetched_at="2999-01-01T00:00:00+00:00"),  # written in the future
        _header(fetched_at=12),
    ],
)
def test_a_cache_with_values_of_the_wrong_kind_is_a_miss(header: str) -> None:
    path = cache_path("https://api.example")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\norg/a\norg/b")
    assert load_cached("https://api.example") is None
    path.write_text(_header() + "\norg/a\norg/b")  # the same file, undamaged, is read
    assert load_cached("https://api.example") is not None


def test_a_cache_with_an_empty_id_is_a_miss() -> None:
    path = cache_path("https://api.example")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_header() + "\n\norg/b")
    assert load_cached("https://api.example") is None


def test_an_empty_catalogue_round_trips() -> None:
    now = datetime(2024, 7, 1, tzinfo=utc)
    save_cache([], fetched_at=now)
    cached = load_cached()
    assert cached is not None and len(cached.index) == 0
    assert cached.fetched_at + timedelta(0) == now


ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,8}/[A-Za-z0-9_.\-]{1,12}", fullmatch=True)
catalogues = st.lists(
    st.builds(
        ModelInfo,
        ids,
        st.one_of(st.none(), st.floats(0, 400, allow_nan=False)),
        st.booleans(),
    ),
    max_size=40,
)
words = st.text(alphabet="abcdlmo2-.", min_size=1, max_size=4)


@given(catalogues, words, st.lists(words, max_size=3))
def test_filter_agrees_with_a_naive_scan(
    models: list[ModelInfo], word: str, extra: list[str]
) -> None:
    index = CatalogueIndex.from_models(models)
    terms = [w for w in [word, *extra] if w.strip("-")]
    query = compile_query(" ".join(terms))

    def matches(name: str) -> bool:
        lowered = name.lower()
        for term in terms:
            if term.startswith("-"):
                if term[1:] in lowered:
                    return False
            elif term not in lowered:
                return False
        return True

    assert [index.names[r] for r in query.filter(index)] == [
        m.name for m in models if matches(m.name)
    ]


@given(catalogues, words, words)
def test_narrowing_gives_the_same_rows_as_a_full_filter(
    models: list[ModelInfo], first: str, more: str
) -> None:
    index = CatalogueIndex.from_models(models)
    old, new = compile_query(first), compile_query(first + more)
    if new.narrows(old):
        previous = old.filter(index)
        assert new.filter(index, within=previous) == new.filter(index)


@given(st.text(max_size=30))
def test_compile_never_raises_anything_but_query_error(text: str) -> None:
    try:
        query = compile_query(text)
    except QueryError as error:
        assert error.message
    else:
        assert isinstance(query, Query)


def test_view_narrows_keeps_order_and_survives_invalid_text(index: CatalogueIndex) -> None:
    view = CatalogueView()
    view.set_index(index)
    view.set_sort("ram", descending=True)
    view.update()
    assert [index.ram[row] for row in view.rows][:2] == [260.0, 182.0]
    assert view.set_text("l")
    first = view.update()
    assert view.set_text("ll")
    narrowed = view.update()
    assert narrowed == [row for row in first if "ll" in index.lowered[row]]
    assert view.set_text("ll ram<") is False
    assert view.error is not None and "needs a number" in view.error.message
    assert view.rows == narrowed  # the last valid result stays
    assert view.set_text("")
    assert len(view.update()) == len(MODELS)
    assert [view.next_sort() for _ in range(1)] == ["cost"]


def test_view_refilters_when_the_running_set_changes(index: CatalogueIndex) -> None:
    view = CatalogueView()
    view.set_index(index)
    view.set_text("running")
    assert view.update() == []
    view.invalidate()
    assert view.update(running=frozenset({"openai-community/gpt2"})) == [1]


def test_ram_by_model_is_a_lazy_mapping() -> None:
    lookup = RamByModel(["a/b", "c/d"], [1.5, None])
    assert len(lookup) == 2
    assert lookup.get("a/b") == 1.5 and lookup.get("c/d") is None and lookup.get("x") is None
    assert dict(lookup) == {"a/b": 1.5, "c/d": None}


@given(catalogues, st.data())
def test_find_agrees_on_sorted_and_unsorted_indexes(
    models: list[ModelInfo], data: st.DataObject
) -> None:
    plain = CatalogueIndex.from_models(models)
    ordered = plain.sorted_by("id")
    probe = data.draw(st.one_of(ids, st.sampled_from([m.name for m in models] or ["a/b"])))
    for index in (plain, ordered):
        row = index.find(probe)
        if row is None:
            assert probe.lower() not in index.lowered
        else:
            assert index.lowered[row] == probe.lower()
            if probe in index.names:
                assert index.names[row] == probe


def test_equal_means_equal_at_the_precision_typed(index: CatalogueIndex) -> None:
    """`ram=8`-style queries silently matched nothing: floats are never exactly equal."""
    assert names(index, "ram=26") == []
    assert names(index, "ram=27") == ["meta-llama/Llama-2-7b-chat-hf"]  # 26.5 rounds to 27
    assert names(index, "ram=26.5") == ["meta-llama/Llama-2-7b-chat-hf"]
    assert names(index, "ram=0.4") == ["roneneldan/TinyStories-8M"]
    assert names(index, "ram==2.5") == ["meta-llamaX/odd"]
    assert "meta-llamaX/odd" not in names(index, "-ram=2.5")


def test_the_usable_part_leaves_out_the_invalid_words(index: CatalogueIndex) -> None:
    """While `ram<8` is typed, `ram<` shows the rows of the rest, not of the word `ram`."""
    from bytez_tui.catalogue.query import usable_part

    assert usable_part("llama ram<").terms == compile_query("llama").terms
    assert usable_part("orgg:x -onnx").terms == compile_query("-onnx").terms
    view = CatalogueView()
    view.set_index(index)
    assert not view.set_text("llama ram<a")
    assert sorted(index.names[row] for row in view.update()) == sorted(names(index, "llama"))


def test_an_unknown_facet_suggests_the_near_one() -> None:
    with pytest.raises(QueryError) as caught:
        compile_query("orgg:meta")
    assert caught.value.message == "unknown facet 'orgg:' (did you mean org:?)"
    with pytest.raises(QueryError) as caught:
        compile_query("task:summarization")
    assert len(caught.value.message) < 80  # was cut at 120 columns with its prefix
