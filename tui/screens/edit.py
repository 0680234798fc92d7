"""Curating from the browser: the edit form (``e`` on an entity, event or
claim) and the retire/restore prompt (``X``).

The form is prefilled with the item's fields; Enter saves the changed ones
as one revision, in a thread worker, against the version the form was
opened at. If someone changed the item meanwhile the revision is refused
and the form says who changed what: Enter again saves yours over it (on the
record), Esc leaves theirs. The result comes back as a fact,
``ItemCurated``, which closes the screen and bubbles to the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from db import Case, CaseError, StaleRevisionError, curation
from db.text import one_line

from ..text import LINE_CHARS, TITLE_CHARS
from ..widgets.text_field import TextField
from .build_base import BUILD_CSS, field_row
from .build_forms import FormFields
from .dialog import Dialog

EDIT_HINT = "Tab next field · Enter save · Esc cancel (nothing is written)"
ALIAS_SEPARATOR = " | "
# Aliases as 'casebook revise' takes them: separated by '|', a language tag after '@'.
ALIASES_HINT = "A | B@nl"


class ItemCurated(Message):
    """A revision, retirement or restoration of an item is committed."""

    def __init__(self, kind: str, item_id: int, summary: str) -> None:
        super().__init__()
        self.kind = kind
        self.item_id = item_id
        self.summary = summary


COMBINE_HINT = ("Its names become aliases, its links move, it is retired; "
                "'casebook uncombine' undoes it. Enter combine · Esc cancel")


def form_value(value: Any) -> str:
    """A field's value as the form shows it (aliases joined by `` | ``)."""
    if isinstance(value, (list, tuple)):
        return ALIAS_SEPARATOR.join(str(v) for v in value)
    return str(value)


class CurationScreen(Dialog[None]):
    """One write about one item, in a thread worker; a refusal stays on screen."""

    CSS_PATH = BUILD_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    class Refused(Message, bubble=False):
        def __init__(self, reason: str, current_version: int | None = None) -> None:
            super().__init__()
            self.reason = reason
            self.current_version = current_version

    def __init__(self, case: Case, kind: str, item_id: int, version: int, *,
                 annotator: str) -> None:
        super().__init__()
        self.case = case
        self.kind = kind
        self.item_id = item_id
        self.version = version
        self.annotator = annotator
        self.saving = False

    def start_write(self, write: Callable[[int], ItemCurated]) -> None:
        self.saving = True
        self.show_status("Saving…")
        self._write(write, self.version)

    @work(thread=True, exclusive=True, group="curate")
    def _write(self, write: Callable[[int], ItemCurated], version: int) -> None:
        try:
            fact = write(version)
        except StaleRevisionError as error:
            self.post_message(self.Refused(one_line(str(error), limit=LINE_CHARS), error.current_version))
            return
        except CaseError as error:
            self.post_message(self.Refused(one_line(str(error), limit=LINE_CHARS)))
            return
        self.post_message(fact)

    @on(ItemCurated)
    def _written(self, message: ItemCurated) -> None:
        self.dismiss(None)   # the fact bubbles on to the app

    def on_curation_screen_refused(self, message: Refused) -> None:
        self.saving = False
        if message.current_version is not None:
            # Theirs stands unless this person saves again, knowingly.
            self.version = message.current_version
            self.show_status(f"Not saved: {message.reason}. Enter saves yours over it; "
                             "Esc leaves theirs.", error=True)
        else:
            self.show_status(f"Not saved: {message.reason}", error=True)

    def show_status(self, text: str, *, error: bool = False) -> None:
        for status in self.query("#form-status").results(Static):
            status.update(Content(text))
            status.set_class(error, "-error")

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        raise NotImplementedError


class EditScreen(CurationScreen):
    """The item's revisable fields, prefilled; Enter saves what changed."""

    BINDINGS = [Binding("enter", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, case: Case, kind: str, item_id: int, version: int,
                 values: dict[str, Any], *, annotator: str) -> None:
        super().__init__(case, kind, item_id, version, annotator=annotator)
        self.values = {name: form_value(value) for name, value in values.items()}

    def compose(self) -> ComposeResult:
        with Vertical(classes="build-box"):
            yield Static(Content.styled(f"Edit {self.kind} {self.item_id} "
                                        f"(version {self.version})", "bold"), classes="box-title")
            with Vertical(classes="box-foot"):
                yield Static("", id="form-status")
                yield Static(Content(EDIT_HINT), classes="box-hint")
            with FormFields(classes="form-fields"):
                for name, value in self.values.items():
                    yield field_row(name.replace("_", " ").capitalize(),
                                    TextField(value, id=f"field-{name}"),
                                    hint=ALIASES_HINT if name == "aliases" else "")
                yield field_row("Why", TextField("", id="field-note", placeholder="optional note"))

    def on_mount(self) -> None:
        self.query(TextField).first().focus()

    def changes(self) -> dict[str, str]:
        changed = {}
        for name, before in self.values.items():
            now = self.query_one(f"#field-{name}", Input).value
            if now != before:
                changed[name] = now
        return changed

    def action_save(self) -> None:
        if self.saving:
            return
        changes = self.changes()
        if not changes:
            self.show_status("Nothing changed: edit a field, or Esc.", error=True)
            return
        note = self.query_one("#field-note", Input).value
        case, kind, item_id, annotator = self.case, self.kind, self.item_id, self.annotator

        def write(version: int) -> ItemCurated:
            revision = curation.revise(case, kind, item_id, changes, annotator=annotator,
                                       expected_version=version, note=note)
            fields = ", ".join(revision.fields)
            return ItemCurated(kind, item_id, f"Revised {kind} {item_id}: {fields} "
                                              f"(version {revision.version}).")

        self.start_write(write)


class RetireScreen(CurationScreen):
    """Why retire (or restore) the item; Enter does it."""

    BINDINGS = [Binding("enter", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, case: Case, kind: str, item_id: int, version: int, title: str, *,
                 retired: bool, annotator: str) -> None:
        super().__init__(case, kind, item_id, version, annotator=annotator)
        self.title_text = title
        self.retired = retired

    def compose(self) -> ComposeResult:
        verb = "Restore" if self.retired else "Retire"
        with Vertical(classes="build-box"):
            yield Static(Content.assemble((f"{verb} {self.kind} {self.item_id}: ", "bold"),
                                          one_line(self.title_text, limit=TITLE_CHARS)), classes="box-title")
            with Vertical(classes="box-foot"):
                yield Static("", id="form-status")
                yield Static(Content("Enter " + verb.lower() + " · Esc cancel"), classes="box-hint")
            with FormFields(classes="form-fields"):
                yield field_row("Why", TextField(
                    "", id="field-reason",
                    placeholder="optional" if self.retired else "a reason is required"))

    def on_mount(self) -> None:
        self.query_one("#field-reason", Input).focus()

    def action_save(self) -> None:
        if self.saving:
            return
        reason = self.query_one("#field-reason", Input).value
        case, kind, item_id, annotator = self.case, self.kind, self.item_id, self.annotator
        retired = self.retired

        def write(version: int) -> ItemCurated:
            if retired:
                curation.restore(case, kind, item_id, reason=reason, annotator=annotator,
                                 expected_version=version)
                return ItemCurated(kind, item_id, f"Restored {kind} {item_id}.")
            curation.retire(case, kind, item_id, reason=reason, annotator=annotator,
                            expected_version=version)
            return ItemCurated(kind, item_id, f"Retired {kind} {item_id} (X again restores it).")

        self.start_write(write)


class CombineScreen(CurationScreen):
    """Combine one entity into another (``C`` on each): why, optionally; Enter does it."""

    BINDINGS = [Binding("enter", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, case: Case, kept: tuple[int, str], absorbed: tuple[int, str], *,
                 annotator: str) -> None:
        super().__init__(case, "entity", kept[0], 0, annotator=annotator)
        self.kept = kept
        self.absorbed = absorbed

    def compose(self) -> ComposeResult:
        (kept_id, kept_name), (absorbed_id, absorbed_name) = self.kept, self.absorbed
        with Vertical(classes="build-box"):
            yield Static(Content.styled(f"Combine entity {absorbed_id} into entity {kept_id}",
                                        "bold"), classes="box-title")
            yield Static(Content.assemble(one_line(absorbed_name, limit=TITLE_CHARS),
                                          (" is the same as ", "dim"),
                                          one_line(kept_name, limit=TITLE_CHARS)), id="combine-names")
            with Vertical(classes="box-foot"):
                yield Static("", id="form-status")
                yield Static(Content(COMBINE_HINT), classes="box-hint")
            with FormFields(classes="form-fields"):
                yield field_row("Why", TextField("", id="field-note", placeholder="optional note"))

    def on_mount(self) -> None:
        self.query_one("#field-note", Input).focus()

    def action_save(self) -> None:
        if self.saving:
            return
        note = self.query_one("#field-note", Input).value
        case, annotator = self.case, self.annotator
        kept_id, absorbed_id = self.kept[0], self.absorbed[0]

        def write(version: int) -> ItemCurated:
            curation.combine(case, kept_id, [absorbed_id], annotator=annotator, note=note)
            return ItemCurated("entity", kept_id, f"Combined entity {absorbed_id} into "
                                                  f"{kept_id} (casebook uncombine undoes it).")

        self.start_write(write)
