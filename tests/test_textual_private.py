"""``AltAwareParser`` overrides ``XTermParser._sequence_to_key_events``, a
private Textual method, and ``use_alt_aware_parser`` replaces the
``XTermParser`` name the Linux driver builds its parser from. A Textual
upgrade may rename or reshape either without a word: these tests say so
loudly, and what to recheck, rather than let tmux's Esc+key quietly lose its
Esc again."""

from __future__ import annotations

import inspect

import textual
from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers import linux_driver

from tui.widgets.key_gate import AltAwareParser, use_alt_aware_parser

RECHECK = (
    f"Textual {textual.__version__} changed XTermParser: recheck "
    "tui/widgets/key_gate.py AltAwareParser (it overrides "
    "_sequence_to_key_events(self, sequence, alt=False)) and "
    "tests/test_browser_bunched.py's Esc tests"
)


def test_textual_still_has_the_private_method_alt_aware_parser_overrides():
    method = getattr(XTermParser, "_sequence_to_key_events", None)
    assert callable(method), f"{RECHECK}: the method is gone"
    parameters = list(inspect.signature(method).parameters.values())
    assert [parameter.name for parameter in parameters] == ["self", "sequence", "alt"], (
        f"{RECHECK}: its parameters are now {inspect.signature(method)}")
    assert parameters[2].default is False, f"{RECHECK}: alt's default is {parameters[2].default!r}"
    # The parser reads keys through the method, with alt= for Esc+key.
    parse = inspect.getsource(XTermParser.parse)
    assert "self._sequence_to_key_events" in parse, f"{RECHECK}: parse no longer calls it"
    assert "alt=alt" in parse, f"{RECHECK}: parse no longer passes alt= to it"


def test_the_parser_calls_the_override_with_alt_for_esc_then_a_key():
    calls: list[tuple[str, bool]] = []

    class Recording(AltAwareParser):
        def _sequence_to_key_events(self, sequence: str, alt: bool = False):  # type: ignore[no-untyped-def]
            calls.append((sequence, alt))
            return super()._sequence_to_key_events(sequence, alt)

    parser = Recording(debug=False)
    keys = [*parser.feed("\x1bj"), *parser.feed("")]
    assert ("j", True) in calls, f"{RECHECK}: Esc j reached the override as {calls}"
    assert [(key.key, key.character) for key in keys if isinstance(key, events.Key)] == [
        ("alt+j", "j")], RECHECK


def test_the_linux_driver_still_builds_its_parser_from_the_name_casebook_replaces():
    assert getattr(linux_driver, "XTermParser", None) is not None, (
        f"{RECHECK}: textual.drivers.linux_driver has no XTermParser name to replace "
        "(use_alt_aware_parser)")
    assert "XTermParser(" in inspect.getsource(linux_driver.LinuxDriver), (
        f"{RECHECK}: LinuxDriver no longer makes its parser as XTermParser(...) "
        "(use_alt_aware_parser)")
    original = linux_driver.XTermParser
    try:
        use_alt_aware_parser()
        assert linux_driver.XTermParser is AltAwareParser
    finally:
        linux_driver.XTermParser = original  # type: ignore[misc]
