"""Stage 1: files -> `Document`s.

Readers for .txt/.md (optional leading ``date YYYY-MM-DD`` line, title = first line),
.html/.htm (main text by trafilatura) and .jsonl (one article per line). A problem with
one input is yielded as a `KgError` naming the file (and line) so that the rest still builds.

Every input is bounded before it reaches spaCy: at most `max_bytes` are read from a file
(and only from a regular file: a FIFO or a device would block or never end) and a document
holds at most `max_chars` characters, since extraction time and memory grow faster than
linearly with the length of a document.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

from kg.errors import KgError
from kg.extraction.reading import PageLexicon, first_story_line
from kg.model import Document

SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl"}
DEFAULT_MAX_BYTES = 20_000_000
# A long news feature is ~60,000 characters. At this limit a document costs at most ~25 s
# and ~1.3 GB (the worst text measured: dense punctuation; see README "Reliability").
DEFAULT_MAX_CHARS = 100_000
_DATE_LINE = re.compile(r"^\ufeff?date[ \t]*:?[ \t]*(\S+)[ \t]*$", re.IGNORECASE)
# "date 2022-07-21 (Agency, Jul 21) – Having ...": the date opens the first line of the story
_DATE_LEAD = re.compile(
    r"\A\ufeff?[ \t]*date[ \t]*:?[ \t]*(\d{4}-\d\d(?:-\d\d)?)(?![\d-])[ \t]*", re.I
)
_YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def iter_documents(
    paths: Iterable[str | os.PathLike[str]],
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Iterator[Document | KgError]:
    """Yield each article under `paths` (files or folders, walked in sorted order)."""
    paths = list(paths)
    seen: dict[str, str] = {}  # id_key -> the id that took it
    found = False
    for file in _files(paths):
        if isinstance(file, KgError):
            yield file
            continue
        for item in read_file(file, max_bytes, max_chars):
            if isinstance(item, Document):
                found = True
                key = id_key(item.id)
                if key in seen:
                    where, _, line = item.source.rpartition(":")
                    place = (where, int(line)) if where and line.isdigit() else (str(file), None)
                    yield (
                        KgError("E010", *place, doc_id=item.id)
                        if seen[key] == item.id
                        else KgError("E014", *place, doc_id=item.id, taken=seen[key])
                    )
                    continue
                seen[key] = item.id
            yield item
    if not found:
        yield KgError("E006", ", ".join(str(p) for p in paths) or None)


def id_key(doc_id: str) -> str:
    """What a document id becomes in its IRIs (`kg.graph.rdf.slug` turns white space into "_"):
    ids with the same key would share one named graph, so they count as duplicates."""
    return "_".join(doc_id.split())


def _files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | KgError]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):  # followlinks=False: no symlink loops
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    file = Path(root) / name
                    if file.suffix.lower() in SUFFIXES:
                        yield file
                    else:
                        yield KgError("E005", str(file), suffix=file.suffix or name)
        elif path.exists() or path.is_symlink():
            if path.suffix.lower() in SUFFIXES:
                yield path
            else:
                yield KgError("E005", str(path), suffix=path.suffix or path.name)
        else:
            yield KgError("E012", str(path))


def read_file(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[Document | KgError]:
    """Read one file into zero or more documents (several for .jsonl)."""
    for item in _read_file(path, max_bytes):
        if isinstance(item, Document):
            item = _portable(item)
        if isinstance(item, Document) and len(item.text) > max_chars:
            where, _, line = item.source.rpartition(":")
            yield (
                KgError("E110", where, int(line), limit=max_chars)
                if path.suffix.lower() == ".jsonl" and line.isdigit()
                else KgError("E110", str(path), limit=max_chars)
            )
        else:
            yield item


# Characters outside XML 1.0's `Char`: C0 controls but tab and line breaks, U+FFFE, U+FFFF.
# RDF/XML cannot hold them and Raptor refuses U+FFFE/U+FFFF even in N-Quads, so each becomes
# U+FFFD (one character for one: evidence offsets stay right).
_NOT_PORTABLE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _portable(doc: Document) -> Document:
    def clean(value: str) -> str:
        return _NOT_PORTABLE.sub("\ufffd", value)

    fields = {"id": doc.id, "text": doc.text, "title": doc.title, "url": doc.url}
    if not any(value and _NOT_PORTABLE.search(value) for value in fields.values()):
        return doc
    return replace(
        doc,
        id=clean(doc.id),
        text=clean(doc.text),
        title=clean(doc.title),
        url=clean(doc.url) if doc.url else None,
    )


def _read_bytes(path: Path, max_bytes: int) -> bytes | KgError:
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return KgError("E004", str(path), reason=exc.strerror or type(exc).__name__)
    with os.fdopen(fd, "rb") as handle:
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                kind = (
                    "a folder"
                    if stat.S_ISDIR(mode)
                    else "a FIFO"
                    if stat.S_ISFIFO(mode)
                    else "a device"
                    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a socket"
                )
                return KgError("E004", str(path), reason=f"it is {kind}, not a regular file")
            # read one byte past the limit: st_size may be stale (a file still growing)
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            return KgError("E004", str(path), reason=exc.strerror or type(exc).__name__)
    if len(data) > max_bytes:
        return KgError("E011", str(path), limit=max_bytes)
    return data


def _read_file(path: Path, max_bytes: int) -> Iterator[Document | KgError]:
    data = _read_bytes(path, max_bytes)
    if isinstance(data, KgError):
        yield data
        return
    text = _decode(path, data)
    if isinstance(text, KgError):
        yield text
        return
    if not text.strip():
        yield KgError("E001", str(path))
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path, text)
    elif suffix in {".html", ".htm"}:
        yield _read_html(path, text)
    else:
        yield _read_text(path, text, markdown=suffix == ".md")


def _decode(path: Path, data: bytes) -> str | KgError:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            return KgError("E003", str(path), encoding="UTF-16", offset=exc.start)
    head = data[:8192]
    if b"\x00" in head:
        encoding = _bomless_utf16(head)
        if encoding:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                return KgError("E003", str(path), encoding=encoding.upper(), offset=exc.start)
        return KgError("E002", str(path), reason="it contains NUL bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return KgError("E003", str(path), encoding="UTF-8", offset=exc.start)


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: text in a Latin script has a NUL as the high
    byte of nearly every character, and no binary format looks like that for long."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if odd >= 0.9 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.9 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _check_date(path: Path, value: str | None, line: int | None = None) -> str | None | KgError:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if _YEAR_MONTH.match(text):
        return text  # a month, not a day: "2022-04" (stored as xsd:gYearMonth)
    try:
        if len(text) > 10:  # a full timestamp "2022-07-20T09:30:00Z" is fine, "2022-07-2099" not
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return KgError("E013", str(path), line, value=str(value))


@cache
def page_lexicon() -> PageLexicon:
    """The words of page furniture (kg/resources/lexicon.json), read once."""
    from kg.extraction.lexicon import load_lexicon

    lexicon = load_lexicon()
    return PageLexicon.of(lexicon["page_lines"], lexicon["page_stamp_words"])


def _read_text(path: Path, text: str, markdown: bool) -> Document | KgError:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    date = None
    first, _, rest = text.partition("\n")
    value = None
    alone = _DATE_LINE.match(first.strip())
    lead = None if alone else _DATE_LEAD.match(text)
    if alone:
        value, text = alone.group(1), rest
    elif lead:
        value, text = lead.group(1), text[lead.end() :]
    if value is not None:
        checked = _check_date(path, value, 1)
        if isinstance(checked, KgError):
            return checked
        date = checked
    body = text.lstrip("\n")
    if not body.strip():
        return KgError("E001", str(path))
    title = first_story_line(body, page_lexicon())  # not "Advertisement", not a dateline
    if markdown:
        title = title.lstrip("#").strip()
    return Document(id=path.stem, text=body, title=title, date=date, source=str(path))


def _read_html(path: Path, html: str) -> Document | KgError:
    import trafilatura  # only HTML needs it; keeps start-up light

    try:
        # no extensive date search: a "Copyright 2024" footer is not the article's date
        result = trafilatura.bare_extraction(
            html,
            include_comments=False,
            with_metadata=True,
            date_extraction_params={"extensive_search": False},
        )
    except (RecursionError, ValueError, TypeError, AttributeError):
        # lxml and trafilatura give up on some broken or absurdly nested pages this way
        result = None
    if result is None:
        return KgError("E009", str(path))
    fields = result if isinstance(result, dict) else result.as_dict()
    body = (fields.get("text") or "").strip()
    if not body:
        return KgError("E009", str(path))
    title = (fields.get("title") or "").strip()
    date = _check_date(path, fields.get("date"))
    if isinstance(date, KgError):
        date = None  # a page's own date metadata is advisory; never fail a page on it
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    return Document(
        id=path.stem,
        text=text,
        title=title or body.split("\n", 1)[0][:200],
        date=date,
        url=fields.get("url") or None,
        source=str(path),
    )


def _read_jsonl(path: Path, text: str) -> Iterator[Document | KgError]:
    # JSON Lines end at "\n" only; str.splitlines() would also break at U+2028 in a string
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield KgError("E007", str(path), number, reason=exc.msg)
            continue
        except RecursionError:
            yield KgError("E007", str(path), number, reason="nested too deeply")
            continue
        if not isinstance(record, dict):
            yield KgError("E007", str(path), number, reason="not an object")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield KgError("E008", str(path), number, field="text")
            continue
        doc_id = record.get("id", f"{path.stem}-{number}")
        if (
            isinstance(doc_id, bool)
            or not isinstance(doc_id, (str, int))
            or not str(doc_id).strip()
        ):
            yield KgError("E008", str(path), number, field="id")
            continue
        title = record.get("title")
        if title is not None and not isinstance(title, str):
            yield KgError("E008", str(path), number, field="title")
            continue
        date = _check_date(path, record.get("date"), number)
        if isinstance(date, KgError):
            yield date
            continue
        url = record.get("url")
        bad = next((k for k in ("id", "title", "text", "url") if _unpaired(record.get(k))), None)
        if bad:  # JSON may escape half a surrogate pair; no file or RDF literal can hold it
            yield KgError("E111", str(path), number, field=bad)
            continue
        yield Document(
            id=str(doc_id).strip(),
            text=body,
            title=(title or body.split("\n", 1)[0]).strip(),
            date=date,
            url=url if isinstance(url, str) and url else None,
            source=f"{path}:{number}",
        )


def _unpaired(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
