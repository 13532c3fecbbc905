"""Stage 1, files -> `Document`s: every reader, and every way an input can be wrong.

Each problem must come back as a `KgError` whose message starts with its code and names the
file (and the line for JSONL), and must not stop the other inputs from being read.
"""

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.errors import KgError, KgWarning
from kg.extraction.documents import DEFAULT_MAX_CHARS, iter_documents, read_file
from kg.model import Document

ARTICLE = (
    "Ministers meet in Geneva\n"
    "\n"
    "Foreign ministers from twelve countries met in Geneva on Monday.\n"
    "They agreed to meet again next month.\n"
)

HTML = """<!DOCTYPE html>
<html><head><title>Ministers meet in Geneva</title>
<style>body { color: red; } .hidden-banner { display: none }</style>
<script>var trackingCode = "SCRIPT_TOKEN_42";</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Ministers meet in Geneva</h1>
<p>Foreign ministers from twelve countries met in Geneva on Monday to discuss the humanitarian
situation, officials said after the talks ended late in the evening.</p>
<p>The ministers agreed to send more aid to the region and to meet again next month, according
to a joint statement released by the organisers of the conference.</p>
<p>Several delegations said the talks had been difficult but useful, and that further progress
would depend on access for aid workers on the ground.</p>
</article>
<footer>{footer}</footer>
</body></html>
"""


def _read(path: Path, **kwargs: int) -> list[Document | KgError]:
    return list(read_file(path, **kwargs))


def _one(path: Path) -> Document:
    items = _read(path)
    assert len(items) == 1, items
    assert isinstance(items[0], Document), str(items[0])
    return items[0]


def _error(items: list[Document | KgError], code: str) -> KgError:
    errors = [i for i in items if isinstance(i, KgError)]
    assert [e.code for e in errors] == [code], [str(e) for e in errors]
    return errors[0]


def _assert_names(
    err: KgError, code: str, path: Path, line: int | None = None, **fields: object
) -> None:
    """The code, the place, and the values of the message's fields."""
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert str(err).startswith(f"error {code}: {where}"), str(err)
    assert (err.code, err.path, err.line, err.fields) == (code, str(path), line, fields)


# -- .txt and .md -----------------------------------------------------------------------


def test_documents_txt_without_date_line(tmp_path: Path) -> None:
    path = tmp_path / "geneva_talks.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    doc = _one(path)
    assert doc.id == "geneva_talks"
    assert doc.title == "Ministers meet in Geneva"
    assert doc.date is None
    assert doc.url is None
    assert doc.text == ARTICLE
    assert doc.source == str(path)


def test_documents_txt_date_line_is_metadata_not_text(tmp_path: Path) -> None:
    path = tmp_path / "geneva_talks.txt"
    path.write_text("date 2022-07-20\n" + ARTICLE, encoding="utf-8")
    doc = _one(path)
    assert doc.date == "2022-07-20"
    assert doc.title == "Ministers meet in Geneva"
    # the date line is gone, so offset 0 is the title and offsets index `text` directly
    assert doc.text == ARTICLE
    start = doc.text.index("They agreed")
    assert start == len("Ministers meet in Geneva\n\n") + len(
        "Foreign ministers from twelve countries met in Geneva on Monday.\n"
    )
    assert doc.text[start : start + 11] == "They agreed"


def test_documents_txt_blank_lines_after_date_line_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"date 2022-07-20\r\n\r\nTitle here\r\nBody text.\r\n")
    doc = _one(path)
    assert doc.date == "2022-07-20"
    assert doc.title == "Title here"
    assert doc.text == "Title here\nBody text.\n"  # CRLF becomes LF


def test_documents_md_title_loses_leading_hashes(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text("## Ministers meet in Geneva\n\nThey talked.\n", encoding="utf-8")
    doc = _one(path)
    assert doc.id == "brief"
    assert doc.title == "Ministers meet in Geneva"
    assert doc.text == "## Ministers meet in Geneva\n\nThey talked.\n"


def test_documents_txt_title_keeps_hash(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("#1 story of the day\n\nThey talked.\n", encoding="utf-8")
    assert _one(path).title == "#1 story of the day"


def test_documents_txt_invalid_date_line_is_e013(tmp_path: Path) -> None:
    path = tmp_path / "bad_date.txt"
    path.write_text("date 2022-13-45\nTitle\n\nBody.\n", encoding="utf-8")
    err = _error(_read(path), "E013")
    _assert_names(err, "E013", path, 1, value="2022-13-45")
    assert "invalid date '2022-13-45'" in str(err)


def test_documents_txt_with_only_a_date_line_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "only_date.txt"
    path.write_text("date 2022-07-20\n\n\n", encoding="utf-8")
    _assert_names(_error(_read(path), "E001"), "E001", path)


# -- .html ------------------------------------------------------------------------------


def test_documents_html_main_text_without_scripts_and_styles(tmp_path: Path) -> None:
    path = tmp_path / "geneva.html"
    path.write_text(HTML.replace("{footer}", "Example News"), encoding="utf-8")
    doc = _one(path)
    assert doc.id == "geneva"
    assert doc.title == "Ministers meet in Geneva"
    assert doc.text.startswith("Ministers meet in Geneva\n")
    assert "Foreign ministers from twelve countries met in Geneva on Monday" in doc.text
    assert "aid workers on the ground." in doc.text
    for boilerplate in ("SCRIPT_TOKEN_42", "trackingCode", "color: red", "hidden-banner"):
        assert boilerplate not in doc.text
    assert doc.date is None


def test_documents_html_copyright_year_is_not_a_date(tmp_path: Path) -> None:
    path = tmp_path / "geneva.html"
    path.write_text(HTML.replace("{footer}", "Copyright 2024 Example News"), encoding="utf-8")
    assert _one(path).date is None


def test_documents_html_without_text_is_e009(tmp_path: Path) -> None:
    path = tmp_path / "empty_page.html"
    path.write_text(
        "<html><head><title>Only a title</title></head><body></body></html>", encoding="utf-8"
    )
    _assert_names(_error(_read(path), "E009"), "E009", path)


# -- .jsonl -----------------------------------------------------------------------------


def _jsonl(path: Path, *lines: object) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def test_documents_jsonl_fields(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        {
            "id": "a1",
            "title": "Talks in Geneva",
            "date": "2022-07-20",
            "url": "https://example.org/a1",
            "text": "Ministers met.\nThey talked.",
        },
        {"text": "No id here.\nSecond line."},
        {"id": 7, "text": "Numeric id."},
    )
    docs = _read(path)
    assert all(isinstance(d, Document) for d in docs), [str(d) for d in docs]
    first, second, third = docs
    assert first == Document(
        id="a1",
        text="Ministers met.\nThey talked.",
        title="Talks in Geneva",
        date="2022-07-20",
        url="https://example.org/a1",
        source=f"{path}:1",
    )
    # no id: file stem and line number; no title: the first line of the text
    assert (second.id, second.title, second.date, second.url) == (
        "feed-2",
        "No id here.",
        None,
        None,
    )
    assert third.id == "7"


def test_documents_jsonl_datetime_keeps_the_day(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "feed.jsonl", {"id": "a", "text": "x", "date": "2022-07-20T08:30:00Z"})
    assert _one(path).date == "2022-07-20"


def test_documents_jsonl_broken_line_names_its_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        {"id": "a", "text": "First."},
        "",
        '{"id": "b", "text": "unterminated',
        {"id": "c", "text": "Fourth."},
        "[1, 2]",
    )
    items = _read(path)
    assert [d.id for d in items if isinstance(d, Document)] == ["a", "c"]
    errors = [e for e in items if isinstance(e, KgError)]
    assert [(e.code, e.line) for e in errors] == [("E007", 3), ("E007", 5)]
    _assert_names(errors[0], "E007", path, 3, reason="Unterminated string starting at")
    _assert_names(errors[1], "E007", path, 5, reason="not an object")


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"id": "a"}, "text"),
        ({"id": "a", "text": "   \n "}, "text"),
        ({"id": "a", "text": 42}, "text"),
        ({"id": ["a"], "text": "Body."}, "id"),
        ({"id": "  ", "text": "Body."}, "id"),
        ({"id": "a", "title": 3, "text": "Body."}, "title"),
    ],
    ids=["missing-text", "blank-text", "number-text", "list-id", "blank-id", "number-title"],
)
def test_documents_jsonl_unusable_field_is_e008(tmp_path: Path, record: dict, field: str) -> None:
    path = _jsonl(tmp_path / "feed.jsonl", {"id": "ok", "text": "Fine."}, record)
    items = _read(path)
    assert [d.id for d in items if isinstance(d, Document)] == ["ok"]
    err = _error(items, "E008")
    _assert_names(err, "E008", path, 2, field=field)
    assert f"missing a usable {field!r} field" in str(err)


def test_documents_jsonl_invalid_date_is_e013(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "feed.jsonl", {"id": "a", "text": "Body.", "date": "20 July 2022"})
    err = _error(_read(path), "E013")
    _assert_names(err, "E013", path, 1, value="20 July 2022")


def test_documents_jsonl_date_with_trailing_digits_is_e013(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "feed.jsonl", {"id": "a", "text": "Body.", "date": "2022-07-2099"})
    _assert_names(_error(_read(path), "E013"), "E013", path, 1, value="2022-07-2099")


def test_documents_jsonl_line_separator_inside_text(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "One\u2028two"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "b", "text": "Three"})
        + "\n",
        encoding="utf-8",
    )
    items = _read(path)
    assert [(d.id, d.text, d.source) for d in items if isinstance(d, Document)] == [
        ("a", "One\u2028two", f"{path}:1"),
        ("b", "Three", f"{path}:2"),
    ]


# -- bytes that are not an article ------------------------------------------------------


def test_documents_empty_file_is_e001(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    _assert_names(_error(_read(path), "E001"), "E001", path)


def test_documents_whitespace_file_is_e001(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text(" \n\t\n", encoding="utf-8")
    _assert_names(_error(_read(path), "E001"), "E001", path)


def test_documents_nul_bytes_are_e002(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _assert_names(_error(_read(path), "E002"), "E002", path, reason="it contains NUL bytes")


def _warned(path: Path) -> tuple[list[Document | KgError], list[KgWarning]]:
    warnings: list[KgWarning] = []
    return list(read_file(path, on_warning=warnings.append)), warnings


@pytest.mark.parametrize(
    ("codec", "name", "text"),
    [
        (
            "latin-1",
            "Windows-1252",
            "Caf\u00e9 talks in Z\u00fcrich\n\nMinisters met in Gen\u00e8ve.",
        ),
        (
            "cp1252",
            "Windows-1252",
            "Caf\u00e9 talks\n\n\u201cWe agreed,\u201d the minister said \u2013 \u20ac5m of aid.",
        ),
        (
            "cp1251",
            "Windows-1251",
            "Встреча в Женеве\n\nМинистры встретились в Женеве в понедельник.",
        ),
    ],
)
def test_documents_other_encodings_are_read_with_w004(
    tmp_path: Path, codec: str, name: str, text: str
) -> None:
    path = tmp_path / "cafe.txt"
    path.write_bytes(text.encode(codec))
    items, warnings = _warned(path)
    assert [d.text for d in items if isinstance(d, Document)] == [text]
    assert [(w.code, w.path, w.fields) for w in warnings] == [
        ("W004", str(path), {"encoding": name})
    ]
    assert str(warnings[0]) == (
        f"warning W004: {path}: file is not UTF-8; read it as {name} (detected), check its "
        "text or re-save it as UTF-8"
    )


def test_documents_broken_utf8_is_e003(tmp_path: Path) -> None:
    """UTF-8 with one bad byte is UTF-8 that is broken, not another encoding to guess."""
    path = tmp_path / "cafe.txt"
    path.write_bytes("Caf\u00e9 talks\n\nMinisters met.".encode() + b" \xe9")
    items, warnings = _warned(path)
    err = _error(items, "E003")
    _assert_names(err, "E003", path, encoding="UTF-8", offset=28)
    assert "file is not valid UTF-8 (byte 28)" in str(err)
    assert warnings == []


def test_documents_undetectable_bytes_are_e003(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(b"Title\n\n" + bytes(range(128, 256)) * 3)
    _assert_names(_error(_read(path), "E003"), "E003", path, encoding="UTF-8", offset=7)


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-be-bom", "utf-32-le", "utf-32-be"])
def test_documents_utf32_decodes(tmp_path: Path, codec: str) -> None:
    text = "date 2022-07-20\n\u00dcber Genf\n\nDie Minister trafen sich in Z\u00fcrich."
    data = {
        "utf-32": text.encode("utf-32"),  # with the machine's byte-order mark (LE here)
        "utf-32-be-bom": b"\x00\x00\xfe\xff" + text.encode("utf-32-be"),
        "utf-32-le": text.encode("utf-32-le"),  # no mark
        "utf-32-be": text.encode("utf-32-be"),
    }[codec]
    path = tmp_path / "genf.txt"
    path.write_bytes(data)
    doc = _one(path)
    assert (doc.date, doc.title) == ("2022-07-20", "\u00dcber Genf")
    assert doc.text == "\u00dcber Genf\n\nDie Minister trafen sich in Z\u00fcrich."


def test_documents_iter_passes_warnings_on(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Caf\u00e9\n\nMinisters met.".encode("latin-1"))
    warnings: list[KgWarning] = []
    docs = list(iter_documents([tmp_path], on_warning=warnings.append))
    assert [d.id for d in docs if isinstance(d, Document)] == ["a"]
    assert [w.code for w in warnings] == ["W004"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom"])
def test_documents_utf16_with_bom_decodes(tmp_path: Path, encoding: str) -> None:
    text = "date 2022-07-20\n\u00dcber Genf\n\nDie Minister trafen sich."
    data = (
        text.encode("utf-16") if encoding == "utf-16" else (b"\xfe\xff" + text.encode("utf-16-be"))
    )
    path = tmp_path / "genf.txt"
    path.write_bytes(data)
    doc = _one(path)
    assert doc.date == "2022-07-20"
    assert doc.title == "\u00dcber Genf"
    assert doc.text == "\u00dcber Genf\n\nDie Minister trafen sich."


def test_documents_utf8_bom_is_not_in_title(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfdate 2022-07-20\nTitle\n\nBody.")
    doc = _one(path)
    assert (doc.date, doc.title, doc.text) == ("2022-07-20", "Title", "Title\n\nBody.")


def _as_nobody(work: Callable[[], str]) -> str:
    """Run `work` in a child process that has dropped root's privileges (root reads a
    mode-000 file, so permissions are only tested by someone else); returns its result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            out = work()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out = f"child failed: {exc!r}"
        os.write(write_end, out.encode("utf-8"))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        result = pipe.read().decode("utf-8")
    os.waitpid(pid, 0)
    return result


def test_documents_unreadable_file_is_e004(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)  # the folder stays searchable; only the file is closed
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    path.chmod(0)

    def read() -> str:
        return "\n".join(str(item) for item in read_file(path))

    try:
        out = _as_nobody(read) if os.geteuid() == 0 else read()
    finally:
        path.chmod(0o644)
    assert (
        out == f"error E004: {path}: cannot read file (Permission denied); check that it "
        "exists and is readable"
    )


def test_documents_unsupported_suffix_is_e005(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    good = tmp_path / "story.txt"
    good.write_text("Title\n\nBody.", encoding="utf-8")
    items = list(iter_documents([path, good]))
    assert [d.id for d in items if isinstance(d, Document)] == ["story"]
    err = _error(items, "E005")
    _assert_names(err, "E005", path, suffix=".pdf")
    assert "unsupported file type '.pdf'" in str(err)


def test_documents_missing_path_is_e012(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "story.txt"
    items = list(iter_documents([path]))
    assert items[0].code == "E012"
    _assert_names(items[0], "E012", path)


def test_documents_empty_folder_is_e006(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    items = list(iter_documents([folder]))
    err = _error(items, "E006")
    _assert_names(err, "E006", folder)


def test_documents_empty_folder_from_a_generator_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    err = _error(list(iter_documents(p for p in [folder])), "E006")
    _assert_names(err, "E006", folder)


def test_documents_max_bytes_is_e011(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"T\n" + b"x" * 99)  # 101 bytes
    err = _error(_read(path, max_bytes=100), "E011")
    _assert_names(err, "E011", path, limit=100)
    assert "larger than the limit of 100 bytes" in str(err)
    path.write_bytes(b"T\n" + b"x" * 98)  # exactly the limit is fine
    assert isinstance(_read(path, max_bytes=100)[0], Document)


# -- folders ----------------------------------------------------------------------------


def test_documents_duplicate_ids_are_e010(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("First\n\nOne.", encoding="utf-8")
    (tmp_path / "b" / "story.md").write_text("Second\n\nTwo.", encoding="utf-8")
    items = list(iter_documents([tmp_path]))
    docs = [d for d in items if isinstance(d, Document)]
    assert [(d.id, d.title) for d in docs] == [("story", "First")]
    err = _error(items, "E010")
    _assert_names(err, "E010", tmp_path / "b" / "story.md", doc_id="story")
    assert "duplicate document id 'story'" in str(err)


def test_documents_duplicate_jsonl_id_names_the_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        {"id": "a", "text": "One."},
        {"id": "b", "text": "Two."},
        {"id": "a", "text": "Three."},
    )
    _assert_names(_error(list(iter_documents([path])), "E010"), "E010", path, 3, doc_id="a")


def test_documents_folder_walk_is_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".cache").mkdir()
    (tmp_path / "b.txt").write_text("B\n\nb.", encoding="utf-8")
    (tmp_path / "a.md").write_text("# A\n\na.", encoding="utf-8")
    (tmp_path / "sub" / "c.txt").write_text("C\n\nc.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("H\n\nh.", encoding="utf-8")
    (tmp_path / ".cache" / "d.txt").write_text("D\n\nd.", encoding="utf-8")
    assert [d.id for d in iter_documents([tmp_path])] == ["a", "b", "c"]


def test_documents_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "story.txt").write_text("Title\n\nBody.", encoding="utf-8")
    os.symlink(".", folder / "again")  # a folder that contains itself
    os.symlink("y.txt", folder / "x.txt")  # two files that point at each other
    os.symlink("x.txt", folder / "y.txt")
    items: list[Document | KgError] = []
    walker = threading.Thread(target=lambda: items.extend(iter_documents([folder])), daemon=True)
    walker.start()
    walker.join(timeout=20)
    assert not walker.is_alive(), "iter_documents did not finish on a symlink loop"
    assert [d.id for d in items if isinstance(d, Document)] == ["story"]
    errors = [e for e in items if isinstance(e, KgError)]
    assert sorted((e.code, e.path) for e in errors) == [
        ("E004", str(folder / "x.txt")),
        ("E004", str(folder / "y.txt")),
    ]


def test_documents_one_bad_file_among_good_ones(tmp_path: Path) -> None:
    (tmp_path / "a_first.txt").write_text("First\n\nOne.", encoding="utf-8")
    (tmp_path / "b_binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "c_latin.txt").write_bytes("Caf\u00e9".encode() + b"\xe9")  # broken UTF-8
    _jsonl(
        tmp_path / "d_feed.jsonl",
        {"id": "d1", "text": "Two."},
        "{oops",
        {"id": "d3", "text": "Three."},
    )
    (tmp_path / "e_last.md").write_text("# Last\n\nFour.", encoding="utf-8")
    items = list(iter_documents([tmp_path]))
    assert [d.id for d in items if isinstance(d, Document)] == ["a_first", "d1", "d3", "e_last"]
    assert [(e.code, e.path, e.line) for e in items if isinstance(e, KgError)] == [
        ("E002", str(tmp_path / "b_binary.txt"), None),
        ("E003", str(tmp_path / "c_latin.txt"), None),
        ("E007", str(tmp_path / "d_feed.jsonl"), 2),
    ]


def test_documents_files_and_folders_mixed(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "inner.txt").write_text("Inner\n\nx.", encoding="utf-8")
    single = tmp_path / "single.md"
    single.write_text("# Single\n\ny.", encoding="utf-8")
    items = list(iter_documents([single, tmp_path / "dir", tmp_path / "gone.txt"]))
    assert [d.id for d in items if isinstance(d, Document)] == ["single", "inner"]
    assert [e.code for e in items if isinstance(e, KgError)] == ["E012"]


# -- Document ---------------------------------------------------------------------------


def test_documents_content_hash_follows_content_not_place() -> None:
    base = Document(id="a", text="Body.", title="T", date="2022-07-20", source="x/a.txt")
    assert (
        base.content_hash
        == Document(
            id="a", text="Body.", title="T", date="2022-07-20", source="elsewhere/a.txt"
        ).content_hash
    )
    assert len(base.content_hash) == 64
    assert int(base.content_hash, 16) >= 0
    changed = [
        Document(id="b", text="Body.", title="T", date="2022-07-20"),
        Document(id="a", text="Body!", title="T", date="2022-07-20"),
        Document(id="a", text="Body.", title="U", date="2022-07-20"),
        Document(id="a", text="Body.", title="T", date="2022-07-21"),
        Document(id="a", text="Body.", title="T", date="2022-07-20", url="https://e.org"),
    ]
    assert len({base.content_hash, *(d.content_hash for d in changed)}) == 6


# -- hostile input: each one found a defect (issue 7) ----------------------------------


def _finishes(work: Callable[[], list[Document | KgError]], seconds: float = 20) -> list:
    out: list[Document | KgError] = []
    worker = threading.Thread(target=lambda: out.extend(work()), daemon=True)
    worker.start()
    worker.join(timeout=seconds)
    assert not worker.is_alive(), "reading did not finish"
    return out


def test_documents_fifo_is_e004_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading used to wait for a writer forever
    items = _finishes(lambda: _read(fifo))
    err = _error(items, "E004")
    _assert_names(err, "E004", fifo, reason="it is a FIFO, not a regular file")


def test_documents_endless_device_is_e004_and_does_not_read_forever(tmp_path: Path) -> None:
    link = tmp_path / "zeros.txt"
    os.symlink("/dev/zero", link)  # st_size 0, and read_bytes() never ended
    err = _error(_finishes(lambda: _read(link)), "E004")
    _assert_names(err, "E004", link, reason="it is a device, not a regular file")


def test_documents_reads_at_most_max_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"T\n" + b"x" * 500)
    asked: list[int] = []
    real = os.fdopen

    def spy(fd: int, mode: str) -> object:
        handle = real(fd, mode)
        reader = handle.read

        def read(n: int = -1) -> bytes:
            asked.append(n)
            return reader(n)

        handle.read = read  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(os, "fdopen", spy)
    _error(_read(path, max_bytes=100), "E011")
    assert asked == [101]  # never the whole file, whatever stat() said


def test_documents_max_chars_is_e110(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("T\n" + "x" * 98, encoding="utf-8")  # 100 characters
    assert isinstance(_read(path, max_chars=100)[0], Document)
    path.write_text("T\n" + "\u00e9" * 99, encoding="utf-8")  # 101 characters, 200 bytes
    err = _error(_read(path, max_chars=100), "E110")
    _assert_names(err, "E110", path, limit=100)
    assert "100 characters" in str(err) and "--max-chars" in str(err)


def test_documents_max_chars_names_the_jsonl_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl", {"id": "a", "text": "short"}, {"id": "b", "text": "y" * 101}
    )
    items = list(iter_documents([path], max_chars=100))
    assert [d.id for d in items if isinstance(d, Document)] == ["a"]
    _assert_names(_error(items, "E110"), "E110", path, 2, limit=100)


def test_documents_ten_megabyte_line_is_e110(tmp_path: Path) -> None:
    path = tmp_path / "one-line.txt"
    path.write_bytes(b"x" * 10_000_000)
    _assert_names(_error(_read(path), "E110"), "E110", path, limit=DEFAULT_MAX_CHARS)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_documents_utf16_without_bom_decodes(tmp_path: Path, codec: str) -> None:
    text = "\u00dcber Genf\n\nDie Minister trafen sich in Genf."
    path = tmp_path / "genf.txt"
    path.write_bytes(text.encode(codec))  # used to be called binary (E002)
    doc = _one(path)
    assert (doc.title, doc.text) == ("\u00dcber Genf", text)


def test_documents_binary_is_still_e002_not_utf16(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(256)) * 8)
    _assert_names(_error(_read(path), "E002"), "E002", path, reason="it contains NUL bytes")


def test_documents_deeply_nested_jsonl_is_e007(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl", "[" * 5000, '{"a": ' * 5000, {"id": "ok", "text": "Fine."}
    )
    items = _read(path)  # json.loads raised RecursionError, a traceback
    assert [d.id for d in items if isinstance(d, Document)] == ["ok"]
    errors = [e for e in items if isinstance(e, KgError)]
    assert [(e.code, e.line, e.fields) for e in errors] == [
        ("E007", 1, {"reason": "nested too deeply"}),
        ("E007", 2, {"reason": "nested too deeply"}),
    ]


@pytest.mark.parametrize("field", ["text", "title", "id", "url"])
def test_documents_jsonl_unpaired_surrogate_is_e111(tmp_path: Path, field: str) -> None:
    record = {"id": "s", "title": "T", "text": "Body.", "url": "https://e.org/"}
    line = json.dumps(record).replace(f'"{record[field]}"', '"x\\udc80y"')
    path = _jsonl(tmp_path / "feed.jsonl", line, {"id": "next", "text": "Still read."})
    items = _read(path)  # the text could not be encoded to UTF-8 at the store: a traceback
    assert [d.id for d in items if isinstance(d, Document)] == ["next"]
    err = _error(items, "E111")
    _assert_names(err, "E111", path, 1, field=field)
    assert f"unpaired surrogate escape in {field!r}" in str(err)


def test_documents_jsonl_surrogate_pair_is_fine(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "feed.jsonl", '{"id": "e", "text": "smile \\ud83d\\ude00"}')
    assert _one(path).text == "smile \U0001f600"


def test_documents_jsonl_boolean_id_is_e008(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "feed.jsonl", {"id": True, "text": "x"}, {"id": 7, "text": "y"})
    items = _read(path)
    assert [d.id for d in items if isinstance(d, Document)] == ["7"]
    _assert_names(_error(items, "E008"), "E008", path, 1, field="id")


def test_documents_ids_that_share_an_iri_are_e014(tmp_path: Path) -> None:
    # kg.graph.rdf.slug writes white space as "_": both would have been one named graph, and
    # the second document's graph replaced the first's without a word
    path = _jsonl(
        tmp_path / "feed.jsonl",
        {"id": "a b", "text": "One."},
        {"id": "a_b", "text": "Two."},
        {"id": "a\tb", "text": "Three."},
    )
    items = list(iter_documents([path]))
    assert [d.id for d in items if isinstance(d, Document)] == ["a b"]
    errors = [e for e in items if isinstance(e, KgError)]
    assert [(e.code, e.line, e.fields) for e in errors] == [
        ("E014", 2, {"doc_id": "a_b", "taken": "a b"}),
        ("E014", 3, {"doc_id": "a\tb", "taken": "a b"}),
    ]
    assert "document id 'a_b' has the same IRI as 'a b'" in str(errors[0])


def test_documents_deeply_nested_html_finishes(tmp_path: Path) -> None:
    para = "<p>" + "Foreign ministers met in Geneva on Monday to discuss aid. " * 4 + "</p>"
    for depth in (200, 5000):
        path = tmp_path / f"nested{depth}.html"
        path.write_text(
            f"<html><head><title>Talks</title></head><body>{'<div>' * depth}"
            f"{para}{'</div>' * depth}</body></html>",
            encoding="utf-8",
        )
        items = _finishes(lambda p=path: _read(p), seconds=60)
        assert len(items) == 1
        if depth == 200:
            assert isinstance(items[0], Document) and "Geneva" in items[0].text
        else:  # lxml stops at its depth limit: no text, or the text; never a traceback
            assert isinstance(items[0], Document) or items[0].code == "E009"


# -- issue 15: what a hostile input may not do ----------------------------------------


def test_documents_jsonl_number_too_long_is_e007_and_the_rest_is_read(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        '{"id": "big", "text": "One.", "views": ' + "9" * 5000 + "}",
        {"id": "next", "text": "Two."},
    )
    items = _read(path)
    assert [d.id for d in items if isinstance(d, Document)] == ["next"]
    err = _error(items, "E007")
    _assert_names(err, "E007", path, 1, reason="a number of over 4300 digits")


def test_documents_id_longer_than_the_limit_is_e016(tmp_path: Path) -> None:
    from kg.extraction.documents import MAX_ID_CHARS

    path = _jsonl(
        tmp_path / "feed.jsonl",
        {"id": "x" * 1_000_000, "text": "One."},
        {"id": "y" * MAX_ID_CHARS, "text": "Two."},
    )
    items = _read(path)
    assert [len(d.id) for d in items if isinstance(d, Document)] == [MAX_ID_CHARS]
    _assert_names(_error(items, "E016"), "E016", path, 1, length=1_000_000, limit=255)


@pytest.mark.parametrize("name", ["ontology.txt", "feed.jsonl"])
def test_documents_id_of_the_ontology_graph_is_e015(tmp_path: Path, name: str) -> None:
    from kg.graph.prefixes import ONTOLOGY_GRAPH
    from kg.graph.rdf import graph_iri

    assert str(graph_iri("ontology")) == ONTOLOGY_GRAPH  # why the id is reserved
    path = tmp_path / name
    if name.endswith(".jsonl"):
        _jsonl(path, {"id": " ontology ", "text": "One."}, {"id": "ontology2", "text": "Two."})
    else:
        path.write_text("Title\n\nOne.", encoding="utf-8")
    items = _read(path)
    assert [d.id for d in items if isinstance(d, Document)] == (
        ["ontology2"] if name.endswith(".jsonl") else []
    )
    err = _error(items, "E015")
    _assert_names(
        err,
        "E015",
        path,
        1 if name.endswith(".jsonl") else None,
        doc_id="ontology",
        graph="ontology",
    )


def test_documents_symlinked_folder_is_followed_once(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_text("Linked\n\nOne.", encoding="utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "here.txt").write_text("Here\n\nTwo.", encoding="utf-8")
    os.symlink(elsewhere, folder / "more")  # a folder kept elsewhere, linked in
    os.symlink(elsewhere, folder / "same-again")  # a second link to it: read once
    os.symlink(folder, elsewhere / "back")  # and a loop back
    items = list(iter_documents([folder]))
    assert [(d.id, d.source) for d in items if isinstance(d, Document)] == [
        ("here", str(folder / "here.txt")),
        ("linked", str(folder / "more" / "linked.txt")),
    ]
    assert [i for i in items if isinstance(i, KgError)] == []


def test_documents_unreadable_folder_is_e004(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, os.walk skipped a folder it could not list without a word. (The suite runs
    as root, whom no mode stops: listing the folder fails as it would for anyone else.)"""
    import kg.extraction.documents as documents

    folder = tmp_path / "articles"
    (folder / "closed").mkdir(parents=True)
    (folder / "open.txt").write_text("Open\n\nOne.", encoding="utf-8")
    (folder / "closed" / "inside.txt").write_text("Inside\n\nTwo.", encoding="utf-8")
    scandir = os.scandir

    def refusing(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "closed":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(documents.os, "scandir", refusing)
    found = [
        (i.code, i.path, i.fields) if isinstance(i, KgError) else ("doc", i.id)
        for i in iter_documents([folder])
    ]
    assert found == [
        ("doc", "open"),
        ("E004", str(folder / "closed"), {"reason": "Permission denied"}),
    ]


@pytest.mark.parametrize(
    "name", ["two\nerror E001: forged.txt: looks real.png", "esc\x1b[2J\u2028\u202e.txt"]
)
def test_documents_file_name_cannot_forge_lines(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")  # E005 or E001, and a message that names it
    items = list(iter_documents([tmp_path]))
    errors = [str(e) for e in items if isinstance(e, KgError)]
    assert len(errors) == 2  # that file's, and E006: no articles
    message = errors[0]
    assert "\n" not in message and "\x1b" not in message and "\u2028" not in message
    assert "\u202e" not in message
    assert message.startswith(f"error E00{1 if name.endswith('.txt') else 5}: {tmp_path}/")
    escaped = name.replace("\n", "\\n").replace("\x1b", "\\x1b")
    escaped = escaped.replace("\u2028", "\\u2028").replace("\u202e", "\\u202e")
    assert f"{tmp_path}/{escaped}: " in message


def test_documents_shown_escapes_only_what_it_must() -> None:
    from kg.extraction.documents import shown

    assert shown("Über die Gespräche – Genève 2022.txt") == "Über die Gespräche – Genève 2022.txt"
    assert shown("a\nb\tc\x1b\u2028\u202e") == "a\\nb\\tc\\x1b\\u2028\\u202e"


def test_documents_count_never_blocks_on_a_fifo_or_reads_dev_zero(tmp_path: Path) -> None:
    from kg.extraction.documents import count_documents

    _jsonl(tmp_path / "feed.jsonl", {"id": "a", "text": "One."}, "", {"id": "b", "text": "Two."})
    (tmp_path / "story.txt").write_text("Story\n\nThree.", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.jsonl")  # nobody ever writes to it
    os.symlink("/dev/zero", tmp_path / "zeros.jsonl")
    counted: list[int] = []
    counter = threading.Thread(
        target=lambda: counted.append(count_documents([tmp_path], max_bytes=1_000_000)),
        daemon=True,
    )
    counter.start()
    counter.join(timeout=20)
    assert not counter.is_alive(), "count_documents blocked"
    assert counted == [2 + 1 + 1 + 1]  # two lines, the story, one each for pipe and zeros
