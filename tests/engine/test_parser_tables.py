"""The LALR tables: the shipped copy matches the grammar, and the grammar has only the two expected conflicts."""

from __future__ import annotations

import json
import logging
from importlib import resources

from voxsim.engine import parser


def test_shipped_tables_match_the_grammar() -> None:
    data = json.loads(resources.files("voxsim.engine").joinpath(parser.SHIPPED_TABLES).read_text(encoding="utf-8"))
    assert data["hash"] == parser._grammar_hash(parser._grammar_text()), (
        "grammar.lark changed: run `python -m voxsim.engine.parser --write-tables`"
    )
    tables = parser.load_tables()
    assert tables.states == data["states"]


def test_only_the_expected_shift_reduce_conflicts(caplog: object) -> None:
    from lark import logger

    logger.setLevel(logging.DEBUG)
    records: list[str] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Grab()
    logger.addHandler(handler)
    try:
        tables = parser.build_tables(parser._grammar_text(), "test")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
    conflicts = sorted({r.split("terminal ")[1].split(":")[0] for r in records if "Shift/Reduce conflict" in r})
    assert conflicts == ["ELSE", "SEMICOLON"]  # dangling else; optional `;` after do-while
    assert len(tables.states) > 500


def test_cold_parse_needs_no_lark() -> None:
    """Importing the parser and parsing loads the shipped tables: lark (≈1 s of LALR analysis) is not imported."""
    import subprocess
    import sys

    code = (
        "import sys, time; t = time.process_time()\n"
        "from voxsim.engine.parser import parse_script\n"
        "parse_script('\\n'.join(f'const x{i} = (a, b) => a + b * {i};' for i in range(10)))\n"
        "print('lark' in sys.modules, round((time.process_time() - t) * 1000))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False"
