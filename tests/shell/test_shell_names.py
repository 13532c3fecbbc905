"""The completion name index (kg/shell/names.py): folding in every script, several words,
typos, the most mentioned first, and the same answers as a plain scan on generated names."""

from __future__ import annotations

import sys
from pathlib import Path

from kg.shell.names import Entity, NameIndex, fold

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.shell_bench import synthetic_names  # noqa: E402


def entity(insert: str, label: str, count: int = 1, kind: str = "Person") -> Entity:
    return Entity(insert, label, kind, count)


INDEX = NameIndex(
    [
        (entity("person:AMLO", "Andrés Manuel López Obrador", 5), ["Andrés Manuel López Obrador"]),
        (entity("person:Guterres", "António Guterres", 9), ["António Guterres", "UN chief"]),
        (entity("person:Sorensen", "Ole Sørensen"), ["Ole Sørensen"]),
        (entity("city:Lodz", "Łódź", kind="City"), ["Łódź"]),
        (entity("city:Beijing", "北京", kind="City"), ["北京"]),
        (entity("org:Strasse", "Straße AG", kind="Organisation"), ["Straße AG"]),
        (entity("person:Bach", "Thomas Bach", 4), ["Thomas Bach"]),
        (entity("person:Bachelet", "Michelle Bachelet", 3), ["Michelle Bachelet"]),
        (entity("person:Bachmann", "Bachmann", 1), ["Bachmann"]),
    ]
)


def found(typed: str, **kw: object) -> list[str]:
    return [h.entity.insert for h in INDEX.search(typed, **kw)]  # type: ignore[arg-type]


def test_shell_names_fold_every_latin_letter_and_other_scripts() -> None:
    assert fold("Sørensen") == fold("SORENSEN") == "sorensen"
    assert (fold("Łódź"), fold("Straße"), fold("Ðorđe Þór")) == ("lodz", "strasse", "dorde thor")
    assert found("sorensen") == ["person:Sorensen"]
    assert found("lodz") == ["city:Lodz"]
    assert found("strasse") == ["org:Strasse"]
    assert found("beijing") == ["city:Beijing"]


def test_shell_names_several_words_in_order() -> None:
    assert found("lopez ob") == ["person:AMLO"]
    assert found("andres lopez") == ["person:AMLO"]
    assert found("obrador lopez") == []  # words in the order of the name
    assert found("un ch") == ["person:Guterres"]  # an alias


def test_shell_names_typos_only_when_nothing_matches_as_typed() -> None:
    assert found("Guteres") == ["person:Guterres"]
    assert found("Bachlet") == ["person:Bachelet"]
    assert found("antonio guteres") == ["person:Guterres"]
    assert found("Bachlet", fuzzy=False) == []
    hits = INDEX.search("Guteres")
    assert hits[0].quality == 3 and hits[0].name == "António Guterres"


def test_shell_names_rank_name_start_then_word_start_then_mentions() -> None:
    # Bachmann starts with "bach"; Thomas Bach (4 documents) before Bachelet (3)
    assert found("bach") == ["person:Bachmann", "person:Bach", "person:Bachelet"]
    assert found("bach", keep=lambda e: e.insert != "person:Bachmann") == [
        "person:Bach",
        "person:Bachelet",
    ]
    assert found("bach", limit=1) == ["person:Bachmann"]


def test_shell_names_a_common_prefix_gives_the_most_mentioned() -> None:
    entries = [
        (entity(f"person:P{i}", f"Zed Person{i}", count=i), [f"Zed Person{i}"]) for i in range(5000)
    ]
    index = NameIndex(entries)
    top = [h.entity.count for h in index.search("zed", limit=10)]
    assert top == list(range(4999, 4989, -1))


def test_shell_names_agree_with_a_scan_on_generated_names() -> None:
    entries = synthetic_names(3000, seed=3)
    index = NameIndex(entries)
    for entry, names in entries[:40]:
        prefix = fold(names[0])[:5].strip()
        scanned = {
            e.insert
            for e, ns in entries
            if any(fold(" ".join(n.split())).startswith(prefix) for n in ns)
        }
        got = {h.entity.insert for h in index.search(prefix, limit=10_000) if h.quality == 0}
        assert got == scanned, prefix
        assert entry.insert in got
