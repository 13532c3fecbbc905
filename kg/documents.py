"""Stage 1: files -> `Document`s.

Readers for .txt/.md (optional leading ``date YYYY-MM-DD`` line, title = first line),
.html/.htm (main text by trafilatura) and .jsonl (one article per line). A problem with
one input is yielded as a `KgError` naming the file (and line) so that the rest still builds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl"}
DEFAULT_MAX_BYTES = 20_000_000
_DATE_LINE = re.compile(r"^\ufeff?date[ \t]*:?[ \t]*(\S+)[ \t]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    """One article. Evidence offsets are character offsets into `text`."""

    id: str
    text: str
    title: str = ""
    date: str | None = None  # ISO YYYY-MM-DD
    url: str | None = None
    source: str = ""

    @property
    def content_hash(self) -> str:
        key = json.dumps([self.id, self.title, self.date, self.url, self.text])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


def iter_documents(
    paths: Iterable[str | os.PathLike[str]], max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | KgError]:
    """Yield each article under `paths` (files or folders, walked in sorted order)."""
    paths = list(paths)
    seen: dict[str, str] = {}
    found = False
    for file in _files(paths):
        if isinstance(file, KgError):
            yield file
            continue
        for item in read_file(file, max_bytes):
            if isinstance(item, Document):
                found = True
                if item.id in seen:
                    where, _, line = item.source.rpartition(":")
                    yield (KgError("E010", where, int(line), detail=item.id)
                           if where and line.isdigit() else KgError("E010", str(file),
                                                                    detail=item.id))
                    continue
                seen[item.id] = str(file)
            yield item
    if not found:
        yield KgError("E006", ", ".join(str(p) for p in paths) or None)


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
                        yield KgError("E005", str(file), detail=file.suffix or name)
        elif path.exists() or path.is_symlink():
            if path.suffix.lower() in SUFFIXES:
                yield path
            else:
                yield KgError("E005", str(path), detail=path.suffix or path.name)
        else:
            yield KgError("E012", str(path))


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | KgError]:
    """Read one file into zero or more documents (several for .jsonl)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield KgError("E011", str(path), detail=str(max_bytes))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield KgError("E004", str(path), detail=exc.strerror or type(exc).__name__)
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
            return KgError("E003", str(path), detail=f"bad UTF-16 at byte {exc.start}")
    head = data[:8192]
    if b"\x00" in head:
        return KgError("E002", str(path), detail="it contains NUL bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return KgError("E003", str(path), detail=f"byte {exc.start}")


def _check_date(path: Path, value: str | None, line: int | None = None) -> str | None | KgError:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if len(text) > 10:  # a full timestamp "2022-07-20T09:30:00Z" is fine, "2022-07-2099" not
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return KgError("E013", str(path), line, detail=str(value))


def _read_text(path: Path, text: str, markdown: bool) -> Document | KgError:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    date = None
    first, _, rest = text.partition("\n")
    match = _DATE_LINE.match(first.strip())
    if match:
        checked = _check_date(path, match.group(1), 1)
        if isinstance(checked, KgError):
            return checked
        date, text = checked, rest
    body = text.lstrip("\n")
    if not body.strip():
        return KgError("E001", str(path))
    title = body.split("\n", 1)[0].strip()
    if markdown:
        title = title.lstrip("#").strip()
    return Document(id=path.stem, text=body, title=title, date=date, source=str(path))


def _read_html(path: Path, html: str) -> Document | KgError:
    import trafilatura  # only HTML needs it; keeps start-up light

    # no extensive date search: a "Copyright 2024" footer is not the article's date
    result = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True,
                                         date_extraction_params={"extensive_search": False})
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
        id=path.stem, text=text, title=title or body.split("\n", 1)[0][:200], date=date,
        url=fields.get("url") or None, source=str(path),
    )


def _read_jsonl(path: Path, text: str) -> Iterator[Document | KgError]:
    # JSON Lines end at "\n" only; str.splitlines() would also break at U+2028 in a string
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield KgError("E007", str(path), number, detail=exc.msg)
            continue
        if not isinstance(record, dict):
            yield KgError("E007", str(path), number, detail="not an object")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield KgError("E008", str(path), number, detail="text")
            continue
        doc_id = record.get("id", f"{path.stem}-{number}")
        if not isinstance(doc_id, (str, int)) or not str(doc_id).strip():
            yield KgError("E008", str(path), number, detail="id")
            continue
        title = record.get("title")
        if title is not None and not isinstance(title, str):
            yield KgError("E008", str(path), number, detail="title")
            continue
        date = _check_date(path, record.get("date"), number)
        if isinstance(date, KgError):
            yield date
            continue
        url = record.get("url")
        yield Document(
            id=str(doc_id).strip(), text=body, title=(title or body.split("\n", 1)[0]).strip(),
            date=date, url=url if isinstance(url, str) and url else None,
            source=f"{path}:{number}",
        )
