"""One concept, one definition: KvK numbers are read only by `contracts.kvk`, and what every
service makes of a KvK field agrees with it; subjects and label names come from `contracts`.

The source checks read the code's syntax trees (no sockets): a second normaliser, a hand-made
zero padding, or a subject literal typed again would let two services disagree once more.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.kvk import normalise_kvk
from contracts.subjects import DEMO_COMMANDS, SCRAPE_COMMANDS
from services.demo.world import kvk_numbers as demo_kvk_numbers
from services.kit.contacts import Contact, FakeContacts
from services.registry.identity import kvk_numbers
from services.scraper.normalise import split_kvk
from tests.unit.notifier.factories import enterprise
from tests.unit.test_kvk import NOT_A_KVK_NUMBER, READ_AS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
THE_RULE = ROOT / "contracts" / "kvk.py"
KVK_READER = re.compile(r"(normali[sz]e|parse|clean|read|split)_?kvk|kvk_numbers?$", re.I)
RULE_NAMES = {"normalise_kvk", "parse_kvk", "KvkNumber"}
# Texts a field splitter would split: they are one field of several numbers, not one number.
SINGLE = [
    text for text in [t for t, _ in READ_AS] + NOT_A_KVK_NUMBER if not re.search("[,;/]", text)
]


def _modules(
    folders: tuple[str, ...] = ("contracts", "services", "tests"),
) -> Iterator[tuple[Path, ast.Module]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != THE_RULE:
                yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def test_no_module_but_contracts_kvk_defines_a_kvk_normaliser() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path, module in _modules()
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and KVK_READER.search(node.name)
        and not node.name.startswith("test_")
        and not _calls(node) & RULE_NAMES
    ]
    assert found == [], "these read KvK numbers without contracts.kvk"


def test_nothing_but_the_kvk_rule_pads_a_number_to_eight_digits() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, module in _modules()
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "zfill"
        and any(isinstance(a, ast.Constant) and a.value == 8 for a in node.args)
    ]
    assert found == [], "a zero padding to 8 is the KvK rule's: call contracts.kvk"


def test_the_kvk_rule_is_imported_from_contracts_only() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} from {node.module}"
        for path, module in _modules()
        for node in ast.walk(module)
        if isinstance(node, ast.ImportFrom)
        and node.module != "contracts.kvk"
        and RULE_NAMES & {alias.name for alias in node.names}
    ]
    assert found == []


@pytest.mark.parametrize("text", SINGLE)
def test_every_service_reads_a_kvk_field_as_the_rule_does(text: str) -> None:
    number = normalise_kvk(text)
    expected = (number,) if number else ()
    assert split_kvk(text).valid == expected
    assert kvk_numbers([text]) == expected
    assert demo_kvk_numbers(text) == expected
    contacts = FakeContacts([Contact("a@x.example", kvk=text)])
    listed = enterprise(kvk=expected, website=None)
    assert contacts.address_for(listed) == ("a@x.example" if number else None)


def _string_constants() -> Iterator[tuple[Path, ast.Constant | ast.JoinedStr]]:
    """Strings in the code, not in docstrings (which may name a subject to explain it)."""
    for path, module in _modules(("contracts", "services")):
        if path.name == "subjects.py" and path.parent.name == "contracts":
            continue
        documentation = {id(node.value) for node in ast.walk(module) if isinstance(node, ast.Expr)}
        for node in ast.walk(module):
            if id(node) in documentation:
                continue
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text or isinstance(node, ast.JoinedStr):
                yield path, node


def _text(node: ast.Constant | ast.JoinedStr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
    )


@pytest.mark.parametrize("subject", [SCRAPE_COMMANDS, DEMO_COMMANDS.removesuffix(".>")])
def test_command_subjects_are_written_only_in_contracts(subject: str) -> None:
    tail = subject.removeprefix("impact.v1")
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, node in _string_constants()
        if subject in (text := _text(node)) or text.startswith("{}" + tail)
    ]
    assert found == []
