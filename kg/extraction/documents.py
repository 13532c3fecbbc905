"""Stage 1: files -> `Document`s.

Readers for .txt/.md (optional leading ``date YYYY-MM-DD`` line, title = first line),
.html/.htm (main text by trafilatura) and .jsonl (one article per line). A problem with
one input is yielded as a `KgError` naming the file (and line) so that the rest still builds.

Every input is bounded before it reaches spaCy: at most `max_bytes` are read from a file
(and only from a regular file: a FIFO or a device would block or never end) and a document
holds at most `max_chars` characters, since extraction time and memory grow faster than
linearly with the length of a document. An id is at most `MAX_ID_CHARS` characters: it is
part of every IRI of its document.

Text is UTF-8, UTF-16 or UTF-32 (with or without a byte-order mark); other text is read
in the encoding charset-normalizer detects, with a warning (W004) naming it. A path in a
message shows control characters and line breaks escaped, so a file name cannot forge
lines of kg's output or drive the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

from kg.errors import KgError, KgWarning
from kg.extraction.reading import PageLexicon, first_story_line
from kg.model import Document

SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl"}
DEFAULT_MAX_BYTES = 20_000_000
# A long news feature is ~60,000 characters. A document at this limit costs about a minute
# and 0.5 GB (a 99,000-character document of dense titles: 53 s, 513 MB; README "Reliability").
DEFAULT_MAX_CHARS = 100_000
# A document's id is in each of its IRIs (graph, evidence, statements): a 1,000,000-character
# id made one JSONL line cost 5.8 GB. A file name holds at most 255 bytes.
MAX_ID_CHARS = 255
# Ids whose named graph is one the store keeps for itself (kg.graph.prefixes.ONTOLOGY_GRAPH
# is graph:ontology): a document there would be replaced by the ontology at every build.
RESERVED_IDS = {"ontology": "ontology"}
OnWarning = Callable[[KgWarning], None]
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
    on_warning: OnWarning | None = None,
) -> Iterator[Document | KgError]:
    """Yield each article under `paths` (files or folders, walked in sorted order, symlinked
    folders followed once each). Warnings about inputs that were read (W004: an encoding
    detected) go to `on_warning`."""
    paths = list(paths)
    seen: dict[str, str] = {}  # id_key -> the id that took it
    found = False
    for file in _files(paths):
        if isinstance(file, KgError):
            yield file
            continue
        for item in read_file(file, max_bytes, max_chars, on_warning):
            if isinstance(item, Document):
                found = True
                key = id_key(item.id)
                if key in seen:
                    where, _, line = item.source.rpartition(":")
                    place = (where, int(line)) if where and line.isdigit() else (shown(file), None)
                    yield (
                        KgError("E010", *place, doc_id=item.id)
                        if seen[key] == item.id
                        else KgError("E014", *place, doc_id=item.id, taken=seen[key])
                    )
                    continue
                seen[key] = item.id
            yield item
    if not found:
        yield KgError("E006", ", ".join(shown(p) for p in paths) or None)


def count_documents(
    paths: Iterable[str | os.PathLike[str]], max_bytes: int = DEFAULT_MAX_BYTES
) -> int:
    """About how many documents `paths` hold, without parsing them (a progress bar's total):
    one per file, one per non-blank line of a .jsonl file, read in blocks. Only regular
    files are opened (a FIFO named .jsonl would block forever, /dev/zero never ends), never
    more than `max_bytes` of one (a larger file is one error: one document)."""
    total = 0
    for file in _files(paths):
        if isinstance(file, KgError):
            continue
        total += _jsonl_lines(file, max_bytes) if file.suffix.lower() == ".jsonl" else 1
    return total


def _jsonl_lines(file: Path, max_bytes: int) -> int:
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return 1  # iter_documents reports it
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return 1
            lines, left, tail = 0, max_bytes + 1, b""
            while left > 0:
                block = handle.read(min(left, 1 << 20))
                if not block:
                    break
                left -= len(block)
                parts = (tail + block).split(b"\n")
                tail = parts.pop()
                lines += sum(1 for line in parts if line.strip())
        except OSError:
            return 1
    if left <= 0:
        return 1  # over the limit: one E011
    return lines + (1 if tail.strip() else 0)


def id_key(doc_id: str) -> str:
    """What a document id becomes in its IRIs (`kg.graph.rdf.slug` turns white space into "_"):
    ids with the same key would share one named graph, so they count as duplicates."""
    return "_".join(doc_id.split())


def _files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | KgError]:
    seen: set[tuple[int, int]] = set()  # folders walked, by device and inode
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, seen)
        elif path.exists() or path.is_symlink():
            if path.suffix.lower() in SUFFIXES:
                yield path
            else:
                yield KgError("E005", shown(path), suffix=path.suffix or path.name)
        else:
            yield KgError("E012", shown(path))


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | KgError]:
    """The files of `folder` in sorted order, then its sub-folders' (hidden ones skipped).
    A symlinked folder is followed; a folder already walked (a loop, a second link) is not
    walked again."""
    try:
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield KgError("E004", shown(folder), reason=exc.strerror or type(exc).__name__)
        return
    folders = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()  # follows a symlink
        except OSError:  # a symlink loop: read as a file, which reports it
            is_dir = False
        file = Path(entry.path)
        if is_dir:
            folders.append(file)
        elif file.suffix.lower() in SUFFIXES:
            yield file
        else:
            yield KgError("E005", shown(file), suffix=file.suffix or entry.name)
    for sub in folders:
        yield from _walk(sub, seen)


_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(path: str | os.PathLike[str]) -> str:
    """A path as messages print it: line breaks, control characters and bidirectional
    overrides escaped (\\n, \\x1b, \\u202e), so that a file name is one visible word."""
    text = os.fspath(path)
    if not _UNSHOWN.search(text):
        return text
    return _UNSHOWN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def read_file(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_warning: OnWarning | None = None,
) -> Iterator[Document | KgError]:
    """Read one file into zero or more documents (several for .jsonl)."""
    for item in _read_file(path, max_bytes, max_chars, on_warning):
        if not isinstance(item, Document):
            yield item
            continue
        item = _portable(item)
        where, _, line = item.source.rpartition(":")
        place = (
            (where, int(line))
            if path.suffix.lower() == ".jsonl" and line.isdigit()
            else (shown(path), None)
        )
        if len(item.text) > max_chars:
            yield KgError("E110", *place, limit=max_chars)
        elif len(item.id) > MAX_ID_CHARS:
            yield KgError("E016", *place, length=len(item.id), limit=MAX_ID_CHARS)
        elif id_key(item.id) in RESERVED_IDS:
            yield KgError("E015", *place, doc_id=item.id, graph=RESERVED_IDS[id_key(item.id)])
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
        return KgError("E004", shown(path), reason=exc.strerror or type(exc).__name__)
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
                return KgError("E004", shown(path), reason=f"it is {kind}, not a regular file")
            # read one byte past the limit: st_size may be stale (a file still growing)
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            return KgError("E004", shown(path), reason=exc.strerror or type(exc).__name__)
    if len(data) > max_bytes:
        return KgError("E011", shown(path), limit=max_bytes)
    return data


def _read_file(
    path: Path, max_bytes: int, max_chars: int, on_warning: OnWarning | None = None
) -> Iterator[Document | KgError]:
    data = _read_bytes(path, max_bytes)
    if isinstance(data, KgError):
        yield data
        return
    text = _decode(path, data, on_warning)
    if isinstance(text, KgError):
        yield text
        return
    if not text.strip():
        yield KgError("E001", shown(path))
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path, text)
    elif suffix in {".html", ".htm"}:
        yield _read_html(path, text)
    else:
        yield _read_text(path, text, suffix == ".md", max_chars)


# Byte-order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


def _decode(path: Path, data: bytes, on_warning: OnWarning | None = None) -> str | KgError:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                return KgError("E003", shown(path), encoding=name, offset=exc.start)
    head = data[:8192]
    if b"\x00" in head:
        encoding = _bomless_utf32(head) or _bomless_utf16(head)
        if encoding:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                return KgError("E003", shown(path), encoding=encoding.upper(), offset=exc.start)
        return KgError("E002", shown(path), reason="it contains NUL bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        detected = _detected(data)
        if detected is None:
            return KgError("E003", shown(path), encoding="UTF-8", offset=exc.start)
        text, name = detected
        if on_warning is not None:
            on_warning(KgWarning("W004", shown(path), encoding=name))
        return text


# What to call a codec in a message (charset-normalizer names Python's codecs).
_ENCODING_NAMES = {"cp1252": "Windows-1252", "cp1251": "Windows-1251", "cp1250": "Windows-1250"}
# a valid multi-byte UTF-8 sequence: in Windows-1252 it would read as mojibake ("Ã©")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# charset-normalizer reads at most this much of a file: enough to tell an encoding apart
_SAMPLE = 1_000_000


def _detected(data: bytes) -> tuple[str, str] | None:
    """Text that is not UTF-8, decoded in the encoding charset-normalizer finds, with that
    encoding's name; None when it finds none (binary, or too mixed to tell).

    Single-byte encodings that read a text as cleanly as each other cannot be told apart
    by statistics on short Western text (charset-normalizer ranks "Café in Zürich" as
    Windows-1250 as readily as 1252), so where Windows-1252 reads it as cleanly as the best
    guess, it wins: it is what Western text that is not UTF-8 nearly always is, and what
    the WHATWG Encoding standard reads a "Latin-1" label as."""
    from charset_normalizer import from_bytes  # only a file that is not UTF-8 needs it

    if _UTF8_SEQUENCE.search(data):  # UTF-8 with a broken byte, not another encoding
        return None
    matches = from_bytes(data[:_SAMPLE])
    best = matches.best()
    if best is None:
        return None
    western = any(
        m.percent_chaos <= best.percent_chaos and "cp1252" in m.could_be_from_charset
        for m in matches
    )
    for codec in (["cp1252"] if western else []) + [best.encoding]:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, _ENCODING_NAMES.get(codec, codec.replace("_", "-").upper())
    return None


def _bomless_utf32(head: bytes) -> str | None:
    """UTF-32 without a byte-order mark: three NULs in every four bytes of Latin text."""
    quads = len(head) // 4
    if quads < 8:
        return None
    lanes = [head[i : quads * 4 : 4].count(0) for i in range(4)]
    if lanes[1] >= 0.9 * quads and lanes[2] == lanes[3] == quads and lanes[0] <= 0.05 * quads:
        return "utf-32-le"
    if lanes[2] >= 0.9 * quads and lanes[0] == lanes[1] == quads and lanes[3] <= 0.05 * quads:
        return "utf-32-be"
    return None


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
        return KgError("E013", shown(path), line, value=str(value))


@cache
def page_lexicon() -> PageLexicon:
    """The words of page furniture (kg/resources/lexicon.json), read once, and the verbs of
    the acts relations are about (a quote opening at one is unmarked: reading.unquote_verbs)."""
    from kg.extraction.lexicon import load_lexicon

    lexicon = load_lexicon()
    acts = ("condemn", "support", "urge", "accuse", "deny", "reject", "sign", "host")
    verbs = [w for name in acts for w in lexicon.words(name) if " " not in w]
    return PageLexicon.of(lexicon["page_lines"], lexicon["page_stamp_words"], verbs)


def _read_text(path: Path, text: str, markdown: bool, max_chars: int) -> Document | KgError:
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
        return KgError("E001", shown(path))
    if len(body) > max_chars:  # refused anyway: no need to look for its title
        return KgError("E110", shown(path), limit=max_chars)
    title = first_story_line(body, page_lexicon())  # not "Advertisement", not a dateline
    if markdown:
        title = title.lstrip("#").strip()
    return Document(id=path.stem, text=body, title=title, date=date, source=shown(path))


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
        return KgError("E009", shown(path))
    fields = result if isinstance(result, dict) else result.as_dict()
    body = (fields.get("text") or "").strip()
    if not body:
        return KgError("E009", shown(path))
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
        source=shown(path),
    )


def _read_jsonl(path: Path, text: str) -> Iterator[Document | KgError]:
    # JSON Lines end at "\n" only; str.splitlines() would also break at U+2028 in a string
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield KgError("E007", shown(path), number, reason=exc.msg)
            continue
        except RecursionError:
            yield KgError("E007", shown(path), number, reason="nested too deeply")
            continue
        except ValueError:  # Python reads integers of at most 4,300 digits
            limit = sys.get_int_max_str_digits()
            yield KgError("E007", shown(path), number, reason=f"a number of over {limit} digits")
            continue
        if not isinstance(record, dict):
            yield KgError("E007", shown(path), number, reason="not an object")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield KgError("E008", shown(path), number, field="text")
            continue
        doc_id = record.get("id", f"{path.stem}-{number}")
        if (
            isinstance(doc_id, bool)
            or not isinstance(doc_id, (str, int))
            or not str(doc_id).strip()
        ):
            yield KgError("E008", shown(path), number, field="id")
            continue
        title = record.get("title")
        if title is not None and not isinstance(title, str):
            yield KgError("E008", shown(path), number, field="title")
            continue
        date = _check_date(path, record.get("date"), number)
        if isinstance(date, KgError):
            yield date
            continue
        url = record.get("url")
        bad = next((k for k in ("id", "title", "text", "url") if _unpaired(record.get(k))), None)
        if bad:  # JSON may escape half a surrogate pair; no file or RDF literal can hold it
            yield KgError("E111", shown(path), number, field=bad)
            continue
        yield Document(
            id=str(doc_id).strip(),
            text=body,
            title=(title or body.split("\n", 1)[0]).strip(),
            date=date,
            url=url if isinstance(url, str) and url else None,
            source=f"{shown(path)}:{number}",
        )


def _unpaired(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
