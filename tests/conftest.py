"""The suite's shared helpers (rdf_fixture, shell_fixture, viz_fixture, virtuoso) live in
tests/; the test modules sit in folders that mirror kg/ (extraction/, graph/, shell/)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
