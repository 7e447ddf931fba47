"""The catalogue's filter language, index, view and cache (no UI)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bytez_tui.catalogue.cache import (
    cache_path,
    fetched_index,
    load_cached,
    release_freed_memory,
    save_cache,
)
from bytez_tui.catalogue.index import CatalogueIndex, RamByModel
from bytez_tui.catalogue.query import Query, QueryError, compile_query, complete_task
from bytez_tui.catalogue.view import CatalogueView
from bytez_tui.clock import utc
from bytez_tui.errors import ServerError
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
        ("meter:sm-lm", "unknown facet 'meter:'"),
        ("org:", "org: needs a name"),
        ("task:", "task: needs a name, e.g. task:chat"),
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
    assert cached.index.order("id") == range(len(MODELS))
    assert load_cached("https://other.example") is None


def test_a_fetched_catalogue_is_indexed_in_the_tables_order() -> None:
    index = fetched_index(list(MODELS))
    assert list(index.names) == sorted((m.name for m in MODELS), key=str.lower)
    assert index.order("id") == range(len(MODELS))  # the default sort costs nothing
    assert index.ram[index.find("openai-community/gpt2") or 0] == 0.5
    release_freed_memory()  # harmless anywhere (glibc or not)


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


def test_erasing_takes_back_the_rows_typed_before(index: CatalogueIndex) -> None:
    """Erasing a letter shows the rows that query had, without filtering again."""
    view = CatalogueView()
    view.set_index(index)
    view.set_sort("ram")
    everything = view.update()
    answered = {}
    for end in range(1, len("llama 7b") + 1):
        view.set_text("llama 7b"[:end])
        answered[end] = view.update()
    for end in range(len("llama 7b") - 1, 0, -1):
        view.set_text("llama 7b"[:end])
        assert view.update() is answered[end]
    view.set_text("")
    assert view.update() is everything


@given(st.lists(st.sampled_from(["l", "la", "a", "7", " ", "-", "ram<9", "bench", "\b"])))
def test_any_typing_and_erasing_shows_what_filtering_afresh_does(keys: list[str]) -> None:
    """Reused and narrowed answers always equal the query's own answer (`\\b` erases)."""
    index = CatalogueIndex.from_models(MODELS)
    view = CatalogueView()
    view.set_index(index)
    view.set_sort("id")
    text = ""
    for key in keys:
        text = text[:-1] if key == "\b" else text + key
        view.set_text(text)
        fresh = view.query.filter(index, within=index.order("id"))
        assert view.update() == fresh


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
        compile_query("tsk:chat")
    assert caught.value.message == "unknown facet 'tsk:' (did you mean task:?)"
    with pytest.raises(QueryError) as caught:
        compile_query("meter:sm-lm")
    assert len(caught.value.message) < 80  # was cut at 120 columns with its prefix


# -- v2: tasks, sizes and the server's prices -------------------------------------------------

V2_MODELS = [
    ModelInfo("Qwen/Qwen3-4B", 16, True, "chat", 4.02, 0.0000872083),
    ModelInfo("dreamlike-art/dreamlike-photoreal-2.0", 6, True, "text-to-image", 1.07, 0.0005344),
    ModelInfo("openai-community/gpt2", 0.5, True, "text-generation", 0.12, 0.0000872083),
    ModelInfo("facebook/bart-large-cnn", 2, True, "summarization", 0.41, None),
    ModelInfo("odd/untasked", None, False),
]


@pytest.fixture
def v2_index() -> CatalogueIndex:
    return CatalogueIndex.from_models(V2_MODELS)


def test_a_v1_catalogue_has_no_v2_columns(index: CatalogueIndex) -> None:
    assert not index.has_tasks and not index.has_prices
    assert index.tasks is None and index.params is None and index.price is None
    assert index.model(0) == MODELS[0]


def test_the_v2_columns_give_back_each_model(v2_index: CatalogueIndex) -> None:
    assert v2_index.has_tasks and v2_index.has_prices
    assert [v2_index.model(row) for row in range(len(v2_index))] == V2_MODELS
    assert v2_index.task(4) is None and v2_index.model(4).params_b is None
    assert sorted(v2_index.task_names) == [
        "chat",
        "summarization",
        "text-generation",
        "text-to-image",
    ]


def test_task_facet_matches_the_task_prefix(v2_index: CatalogueIndex) -> None:
    assert names(v2_index, "task:chat") == ["Qwen/Qwen3-4B"]
    assert names(v2_index, "task:TEXT") == [
        "dreamlike-art/dreamlike-photoreal-2.0",
        "openai-community/gpt2",
    ]
    assert names(v2_index, "task:text-to gpt") == []
    assert names(v2_index, "-task:text") == [
        "Qwen/Qwen3-4B",
        "facebook/bart-large-cnn",
        "odd/untasked",  # no task: not a text task either
    ]
    assert names(v2_index, "task:nothing") == []


def test_task_facet_on_a_catalogue_without_tasks(index: CatalogueIndex) -> None:
    assert names(index, "task:chat") == []
    assert len(names(index, "-task:chat")) == len(MODELS)


def test_task_narrowing() -> None:
    def narrows(new: str, old: str) -> bool:
        return compile_query(new).narrows(compile_query(old))

    assert narrows("task:text-g", "task:text")
    assert narrows("task:text", "task:text-g") is False
    assert narrows("-task:text", "-task:text-g")
    assert narrows("-task:text-g", "-task:text") is False


def test_cost_uses_the_servers_price_where_it_gave_one(v2_index: CatalogueIndex) -> None:
    # Qwen: $0.31/h by its meter, although 16 GB of RAM would be estimated at ~$0.96/h.
    assert v2_index.cost_per_hour(0) == pytest.approx(0.0000872083 * 3600)
    assert v2_index.server_priced(0)
    assert not v2_index.server_priced(3)  # no meterPrice: our estimate from RAM
    assert v2_index.cost_per_hour(3) == pytest.approx(2 * 3600 * 0.0000166667)
    assert v2_index.cost_per_hour(4) is None
    assert names(v2_index, "cost<0.2") == ["facebook/bart-large-cnn"]  # $0.12/h, estimated
    assert names(v2_index, "cost>1") == ["dreamlike-art/dreamlike-photoreal-2.0"]
    assert names(v2_index, "-cost<0.5") == ["dreamlike-art/dreamlike-photoreal-2.0", "odd/untasked"]
    assert names(v2_index, "cost=0.31") == ["Qwen/Qwen3-4B", "openai-community/gpt2"]


def test_cost_sort_follows_the_servers_prices(v2_index: CatalogueIndex) -> None:
    by_cost = [v2_index.names[row] for row in v2_index.order("cost")]
    # RAM order is gpt2 (0.5 GB), bart, dreamlike, Qwen (16 GB); Qwen and gpt2 have one price.
    assert by_cost == [
        "facebook/bart-large-cnn",
        "Qwen/Qwen3-4B",
        "openai-community/gpt2",
        "dreamlike-art/dreamlike-photoreal-2.0",
        "odd/untasked",
    ]
    assert [v2_index.names[r] for r in v2_index.order("cost", descending=True)][-1] == (
        "odd/untasked"
    )
    ram_first = [v2_index.names[row] for row in v2_index.order("ram")][0]
    assert ram_first == "openai-community/gpt2"


def test_sorted_by_keeps_the_v2_columns_with_their_rows(v2_index: CatalogueIndex) -> None:
    by_id = v2_index.sorted_by("id")
    assert sorted((by_id.model(r) for r in range(len(by_id))), key=str) == sorted(
        V2_MODELS, key=str
    )
    assert by_id.names[0] == "dreamlike-art/dreamlike-photoreal-2.0"
    assert by_id.task(0) == "text-to-image"


def test_v2_cache_round_trip(v2_index: CatalogueIndex) -> None:
    fetched = datetime(2024, 7, 1, 9, 0, tzinfo=utc)
    save_cache(V2_MODELS, fetched_at=fetched, store_key="https://api.example")
    cached = load_cached("https://api.example")
    assert cached is not None
    back = cached.index
    assert sorted((back.model(r) for r in range(len(back))), key=str) == sorted(V2_MODELS, key=str)
    assert names(back, "task:chat") == ["Qwen/Qwen3-4B"]


def _coded(values: object, codes: str = "AQAAAA==", width: object = 2) -> dict[str, object]:
    """A v2 column of the cache; the codes are [1, 0] (two models, the second without)."""
    return {"values": values, "codes": codes, "width": width}


@pytest.mark.parametrize(
    "damage",
    [
        {"task": _coded(["chat"], "AQA=")},  # one code for two models
        {"task": _coded(["chat"], "AgABAA==")},  # code 2 has no value
        {"task": _coded([""])},
        {"task": _coded("chat")},
        {"task": _coded(["chat"], "not base64!")},
        {"task": _coded(["chat"], width=3)},
        {"task": _coded([1.5])},
        {"task": ["chat"]},
        {"price": _coded([-1.0])},
        {"params": _coded(["7b"])},
        {"params": _coded([True])},
        {"params": _coded([1e400])},  # json reads it as inf
    ],
)
def test_a_cache_with_damaged_v2_columns_is_a_miss(damage: dict[str, object]) -> None:
    path = cache_path("https://api.example")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_header(**damage) + "\norg/a\norg/b")
    assert load_cached("https://api.example") is None
    fine = {"task": _coded(["chat"]), "price": _coded([1], "AAAAAAEAAAA=", 4)}  # [0, 1]
    path.write_text(_header(**fine) + "\norg/a\norg/b")
    cached = load_cached("https://api.example")
    assert cached is not None
    assert cached.index.model(0) == ModelInfo("org/a", 0.5, True, "chat")
    assert cached.index.model(1) == ModelInfo("org/b", None, False, None, None, 1.0)


def test_task_completion() -> None:
    tasks = ["chat", "text-generation", "text-to-image"]
    assert complete_task("task:", tasks) == "task:chat"
    assert complete_task("llama task:TEXT-T", tasks) == "llama task:TEXT-To-image"
    assert complete_task("-task:text-g", tasks) == "-task:text-generation"
    assert complete_task("task:chat", tasks) is None  # already whole
    assert complete_task("task:x", tasks) is None
    assert complete_task("org:te", tasks) is None
    assert complete_task("task:chat ", tasks) is None  # a new word begun


def test_a_coded_column_widens_past_65535_values() -> None:
    from bytez_tui.catalogue.index import Coded

    narrow = Coded.of([0.5, None, 0.5, 2.0])
    assert narrow.values == (0.5, 2.0) and list(narrow.codes) == [1, 0, 1, 2]
    assert narrow.codes.typecode == "H" and narrow[1] is None and narrow[3] == 2.0
    wide = Coded.of(float(n) for n in range(70_000))
    assert wide.codes.typecode == "I" and wide[69_999] == 69_999.0
    index = CatalogueIndex(
        names=[f"org/m{n}" for n in range(70_000)], ram=[None] * 70_000, bench=[False] * 70_000
    )
    index.params = wide
    save_cache(index, fetched_at=datetime(2024, 7, 1, tzinfo=utc))
    cached = load_cached()
    assert cached is not None and cached.index.params is not None
    assert cached.index.model(cached.index.find("org/m69999") or 0).params_b == 69_999.0


def test_the_view_knows_where_its_catalogue_came_from(index: CatalogueIndex) -> None:
    view = CatalogueView()
    assert view.freshness.fetched_at is None and not view.freshness.refreshing
    view.refresh_started()
    fetched = datetime(2024, 7, 1, 9, 0, tzinfo=utc)
    view.set_index(index)
    view.fetched(fetched, from_cache=True)  # cached rows painted while the refresh runs
    assert view.freshness.from_cache and view.freshness.refreshing
    failure = ServerError("down", status=503)
    view.refresh_ended(failure)
    assert not view.freshness.refreshing and view.freshness.error is failure
    assert view.freshness.fetched_at == fetched  # the cached rows stay, with their age
    view.refresh_started()
    view.refresh_ended()
    assert view.freshness.error is None
