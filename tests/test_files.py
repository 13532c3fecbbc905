"""The one atomic writer (kg/files.py): one file mode, all or nothing, E077 when it cannot
write; and no other module of kg writes files its own way."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.files import FILE_MODE, atomic_file, write_atomic

KG = Path(__file__).resolve().parents[1] / "kg"


class Boom(Exception):
    pass


def test_files_write_creates_folders_and_one_mode(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "out.txt"
    write_atomic(target, b"hello\n")
    assert target.read_bytes() == b"hello\n"
    assert FILE_MODE == 0o644 and target.stat().st_mode & 0o777 == 0o644
    assert os.listdir(target.parent) == ["out.txt"]


def test_files_replacing_a_file_gives_it_the_one_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o644


def test_files_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"the old content")
    with pytest.raises(Boom):
        with atomic_file(target) as handle:
            handle.write(b"half of the new")
            raise Boom  # a serialiser failing, Ctrl-C, a crash in the middle
    assert target.read_bytes() == b"the old content"
    assert os.listdir(tmp_path) == ["out.txt"]  # no temporary file left


def test_files_readers_never_see_half_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    with atomic_file(target) as handle:
        handle.write(b"new, ")
        handle.flush()
        assert target.read_bytes() == b"old"  # until the block ends, the old file
        handle.write(b"complete")
    assert target.read_bytes() == b"new, complete"


def test_files_cannot_write_is_e077_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(KgError) as info:
        write_atomic(blocker / "out.txt", b"data")
    assert (info.value.code, info.value.path) == ("E077", str(blocker / "out.txt"))
    assert info.value.fields["reason"]


def test_files_a_write_error_midway_is_e077_and_removes_the_temporary_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    with pytest.raises(KgError) as info:
        with atomic_file(target) as handle:
            handle.write(b"part")
            raise OSError(28, "No space left on device")
    assert (info.value.code, info.value.fields) == ("E077", {"reason": "No space left on device"})
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.txt"]


WRITING = {"mkstemp", "NamedTemporaryFile", "write_text", "write_bytes"}


def test_files_no_other_module_writes_files_its_own_way() -> None:
    """Everything kg writes (extract -o, export, viz, \\o, \\export) goes through kg.files."""
    found = []
    for path in sorted(KG.rglob("*.py")):
        if path == KG / "files.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
            modes += [k.value.value for k in node.keywords if k.arg == "mode"]  # type: ignore[attr-defined]
            opens = name in ("open", "fdopen")
            writes_by_open = opens and any("w" in str(m) or "x" in str(m) for m in modes)
            if name in WRITING or writes_by_open:
                found.append(f"{path.relative_to(KG.parent)}:{node.lineno} {name}")
    assert found == []
