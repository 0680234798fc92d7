"""Forms that build a case from an excerpt: a new entity, event or claim.

Tab and Shift+Tab move between fields, Enter saves, Esc cancels. Each field
is checked before anything is written; what is wrong is said in one line
under the field. The write itself runs in a thread worker (``WriteScreen``)
and its result comes back as a fact: ``EntityCreated``, ``EventCreated``,
``ClaimCreated``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Static

from db import DATE_PRECISIONS, ENTITY_KINDS, STANCES, CaseError, Claim, Entity, Event
from db.building import (
    claim_from_excerpt,
    entity_from_excerpt,
    event_from_excerpt,
    relationship_from_excerpt,
)
from db.dates import DATE_FORMS, date_in, date_precision_of, date_problem, date_value, typed_date
from db.entities import count_entity_excerpts
from db.models import RELATIONSHIP_TYPES, Relationship
from db.search import entity_named
from db.text import fold, folded_words, one_line

from ..text import TITLE_CHARS
from ..widgets.checklist import EntityChecklist, Listed
from ..widgets.choice import Choice
from ..widgets.detail import Link
from ..widgets.text_field import TextField
from .build_base import STANCE_LETTERS, Built, WriteScreen, evidence_line, field_error, field_row
from .pickers import EntityPicker

FORM_HINT = "Tab next field · ←→ or a letter change a choice · Enter save · Esc cancel"
LINK_MENTIONS = ("everywhere", "here only")

class FormFields(VerticalScroll, can_focus=False):
    """The fields scroll when the terminal is short; Tab skips the container."""


class BuildForm(WriteScreen):
    """A form over an excerpt: fields, one error line each, Enter saves."""

    BINDINGS = [Binding("enter", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    heading = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="build-box"):
            yield Static(Content.styled(self.heading, "bold"), classes="box-title")
            yield Static(evidence_line(self.context, self.span), classes="evidence")
            with Vertical(classes="box-foot"):
                yield Static("", id="form-status")
                yield Static(Content(FORM_HINT), classes="box-hint")
            with FormFields(classes="form-fields"):
                yield from self.fields()

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def first_field(self) -> Widget:
        return self.query(".field-row > Input, .field-row > Choice").first()

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_position = len(field.value)
        self.first_field().focus()

    # -- checking ----------------------------------------------------------

    def problems(self) -> dict[str, str]:
        """Field id -> what is wrong with it (nothing: ready to write)."""
        raise NotImplementedError

    def show_problems(self, problems: dict[str, str]) -> None:
        for error in self.query(".field-error").results(Static):
            name = (error.id or "").removesuffix("-error")
            message = problems.get(name, "")
            error.update(Content(f"↑ {message}") if message else Content(""))
            error.display = bool(message)

    def action_save(self) -> None:
        if self.saving:
            return
        problems = self.problems()
        self.show_problems(problems)
        if problems:
            self.show_status("Not saved: see the line under the field.", error=True)
            first = next(iter(problems))
            self.query_one(f"#{first}").focus()
            return
        self.start_write(self.writer())

    def writer(self) -> Callable[[], Built]:
        """The write, with the fields' values read here, on the UI thread."""
        raise NotImplementedError

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def text(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def choice(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Choice).value

    # -- entities (events and claims) --------------------------------------

    def entity_checklist(self) -> EntityChecklist:
        return EntityChecklist(list(self.context.entities), ticked=self.context.named_in(self.span),
                               id="entities")

    def on_entity_checklist_add_wanted(self, message: EntityChecklist.AddWanted) -> None:
        checklist = message.checklist

        def chosen(entity: object) -> None:
            if isinstance(entity, Entity):
                checklist.add(entity)
            checklist.focus()

        self.app.push_screen(EntityPicker(self.case, self.context, query=message.query,
                                          title="Add an entity"), callback=chosen)


class EntityForm(BuildForm):
    """A new entity that the excerpt mentions (and, by default, every excerpt
    that names it)."""

    heading = "New entity mentioned in this excerpt"

    class EntityCreated(Built):
        def __init__(self, excerpt_id: int, entity: Entity, mentions: int) -> None:
            super().__init__(excerpt_id, f"New {entity.kind}: "
                             f"{one_line(entity.name, limit=TITLE_CHARS)}, mentioned in "
                             f"{mentions:,} excerpt{'s' if mentions != 1 else ''}.",
                             Link("entity", entity.id or 0))
            self.entity = entity
            self.mentions = mentions

    class SameNameFound(Message, bubble=False):
        def __init__(self, name: str, entity: Entity | None) -> None:
            super().__init__()
            self.name = name
            self.entity = entity

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.same_name: Entity | None = None   # an entity the case has by this name
        self._same_name_told = False

    def fields(self) -> ComposeResult:
        yield field_row("Name", TextField(self.context.prefill(self.span), id="name",
                                          placeholder="as the source writes it"))
        yield field_error("name")
        note = Static("", id="name-note", classes="field-note")
        note.display = False
        yield note
        yield field_row("Kind", Choice(ENTITY_KINDS, id="kind"))
        yield field_row("Also known as",
                        TextField(id="aliases", placeholder="other names, separated by commas"))
        yield field_row("Description",
                        TextField(id="description", placeholder="who or what it is (optional)"))
        yield field_row("Link mentions", Choice(LINK_MENTIONS, id="elsewhere"),
                        hint="in every excerpt naming it")

    def on_mount(self) -> None:
        # (BuildForm's on_mount runs too: Textual calls each class's handler.)
        self._find_same_name(self.text("name"))

    # -- an entity of the same name: say so, and save only on a second Enter --

    @on(Input.Changed, "#name")
    def _name_typed(self, event: Input.Changed) -> None:
        self._find_same_name(event.value)

    @work(thread=True, exclusive=True, group="same-name")
    def _find_same_name(self, name: str) -> None:
        try:
            found = entity_named(self.case, name)
        except CaseError:
            found = None  # only a courtesy: the form works without it
        self.post_message(self.SameNameFound(name, found))

    def on_entity_form_same_name_found(self, message: SameNameFound) -> None:
        if message.name != self.text("name"):
            return  # typed on since
        self.same_name = message.entity
        self._same_name_told = False
        note = self.query_one("#name-note", Static)
        if message.entity is not None:
            name = one_line(message.entity.name, limit=TITLE_CHARS)
            note.update(Content(f"↑ the case has {name} ({message.entity.kind}):"
                                " Esc, then l, links it"))
        note.display = message.entity is not None

    def action_save(self) -> None:
        if self.same_name is not None and not self._same_name_told and not self.problems():
            self._same_name_told = True
            self.show_status("The case has an entity of this name: Enter again makes another one.",
                             error=True)
            return
        super().action_save()

    def problems(self) -> dict[str, str]:
        if not self.text("name").strip():
            return {"name": "an entity needs a name"}
        return {}

    def writer(self) -> Callable[[], Built]:
        name, kind = self.text("name"), self.choice("kind")
        aliases = [alias for alias in self.text("aliases").split(",") if alias.strip()]
        description = self.text("description").strip()
        everywhere = self.choice("elsewhere") == "everywhere"
        excerpt_id, annotator = self.context.excerpt_id, self.annotator

        def write() -> Built:
            entity = entity_from_excerpt(self.case, excerpt_id, kind=kind, name=name, aliases=aliases,
                                         description=description, link_elsewhere=everywhere,
                                         created_by=annotator)
            mentions = count_entity_excerpts(self.case, entity.id or 0)
            return self.EntityCreated(excerpt_id, entity, mentions)

        return write


class EventForm(BuildForm):
    """A new event with the excerpt (or the chosen words) as its evidence.

    The precision follows the way the start is written (``2023-06`` is a
    month) until it is chosen by hand; a date is never padded to fit.
    """

    heading = "New event with this evidence"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._precision_by_hand = False
        # A date in the chosen words fills the dates at the precision written.
        self.found_date = date_in(self.context.quote(self.span)) if self.span else None

    def title_prefill(self) -> str:
        """The chosen words, unless they are little more than the date."""
        found = self.found_date
        if found is None:
            return self.context.prefill(self.span)
        quote = self.context.quote(self.span)
        rest = quote[:found.start] + quote[found.end:]
        return self.context.prefill(self.span) if len(folded_words(rest)) >= 2 else ""

    def fields(self) -> ComposeResult:
        found = self.found_date
        yield field_row("Title", TextField(self.title_prefill(), id="title", placeholder="what happened"))
        yield field_error("title")
        yield field_row("Starts", TextField(typed_date(found.date_start, found.precision) if found else "",
                                            id="date_start",
                                            placeholder="2023-06-14, June 2023, 2023, 1990s"),
                        hint_id="start-form")
        yield field_error("date_start")
        yield field_row("Ends", TextField(typed_date(found.date_end, found.precision) if found else "",
                                          id="date_end", placeholder="(a range: the last day, month…)"),
                        hint="optional")
        yield field_error("date_end")
        yield field_row("Precision", Choice(DATE_PRECISIONS, value=found.precision if found else "unknown",
                                            id="precision"), hint_id="precision-hint")
        yield field_error("precision")
        yield field_row("Description", TextField(id="description", placeholder="(optional)"))
        yield field_row("Entities", self.entity_checklist())

    def on_mount(self) -> None:
        self._show_form()

    @on(Input.Changed, "#date_start")
    def _start_typed(self, event: Input.Changed) -> None:
        guessed = date_precision_of(event.value)
        if not self._precision_by_hand:
            self.query_one("#precision", Choice).value = guessed or (
                "unknown" if not event.value.strip() else self.choice("precision"))
        self._show_form()

    @on(Choice.Changed, "#precision")
    def _precision_chosen(self, event: Choice.Changed) -> None:
        if event.choice.has_focus:  # chosen by hand: no longer follows the date
            self._precision_by_hand = True
        self._show_form()

    def _show_form(self) -> None:
        precision = self.choice("precision")
        form = DATE_FORMS.get(precision, "no date")
        self.query_one("#start-form", Static).update(Content(f"{precision}: {form}"))
        following = "" if self._precision_by_hand else "follows the date"
        self.query_one("#precision-hint", Static).update(Content(following))

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        precision = self.choice("precision")
        if not self.text("title").strip():
            problems["title"] = "an event needs a title"
        start, end = self.text("date_start"), self.text("date_end")
        if problem := date_problem(start, precision, required=True):
            problems["date_start"] = problem
        if problem := date_problem(end, precision, required=False):
            problems["date_end"] = problem
        if not problems and end.strip() and date_value(end) < date_value(start):
            problems["date_end"] = f"ends before it starts ({start.strip()})"
        return problems

    def writer(self) -> Callable[[], Built]:
        precision = self.choice("precision")
        title, description = self.text("title"), self.text("description").strip()
        dated = precision != "unknown"
        start = date_value(self.text("date_start")) if dated else ""
        end = date_value(self.text("date_end")) if dated else ""
        entity_ids = [entity.id or 0 for entity in self.query_one(EntityChecklist).chosen]
        excerpt_id, span, annotator = self.context.excerpt_id, self.span, self.annotator

        def write() -> Built:
            event = event_from_excerpt(self.case, excerpt_id, span=span, title=title,
                                       date_precision=precision, date_start=start, date_end=end,
                                       description=description, entity_ids=entity_ids,
                                       created_by=annotator)
            return self.EventCreated(excerpt_id, event)

        return write

    class EventCreated(Built):
        def __init__(self, excerpt_id: int, event: Event) -> None:
            super().__init__(excerpt_id, f"New event: {one_line(event.title, limit=TITLE_CHARS)} "
                             f"({event.date_label}).",
                             Link("event", event.id or 0))
            self.event = event


class ClaimForm(BuildForm):
    """A new claim, unreviewed, with the excerpt (or the chosen words) as
    evidence taking the stance chosen here."""

    heading = "New claim with this evidence"

    class ClaimCreated(Built):
        def __init__(self, excerpt_id: int, claim: Claim, stance: str) -> None:
            super().__init__(excerpt_id, f"New claim ({stance}, unreviewed): "
                             f"{one_line(claim.statement, limit=TITLE_CHARS)}",
                             Link("claim", claim.id or 0))
            self.claim = claim
            self.stance = stance

    def fields(self) -> ComposeResult:
        names = [one_line(entity.name, limit=TITLE_CHARS) for entity in self.context.entities]
        yield field_row("Statement", TextField(self.context.prefill(self.span), id="statement",
                                               placeholder="what is claimed, in a sentence"))
        yield field_error("statement")
        yield field_row("Claimant", TextField(id="claimant", placeholder="who says so (→ completes a name)",
                                              suggester=SuggestFromList(names, case_sensitive=False)))
        # As in the cite form: c chooses context first, c again contradicts.
        yield field_row("Stance", Choice(STANCES, first=STANCE_LETTERS, id="stance"),
                        hint="of this evidence")
        yield field_row("Entities", self.entity_checklist())

    def problems(self) -> dict[str, str]:
        if not self.text("statement").strip():
            return {"statement": "a claim needs a statement"}
        return {}

    def claimant_entity(self, claimant: str) -> Listed | None:
        """The listed entity the claimant names, if one does."""
        wanted = fold(one_line(claimant, limit=TITLE_CHARS))
        if not wanted:
            return None
        listed = self.query_one(EntityChecklist).entities
        return next((entity for entity in listed
                     if wanted in (fold(one_line(name, limit=TITLE_CHARS))
                                   for name in (entity.name, *entity.aliases))), None)

    def writer(self) -> Callable[[], Built]:
        claimant = self.text("claimant").strip()
        speaker = self.claimant_entity(claimant)
        stance = self.choice("stance")
        statement = self.text("statement")
        entity_ids = [entity.id or 0 for entity in self.query_one(EntityChecklist).chosen]
        speaker_id = speaker.id if speaker else None
        excerpt_id, span, annotator = self.context.excerpt_id, self.span, self.annotator

        def write() -> Built:
            claim = claim_from_excerpt(self.case, excerpt_id, span=span, statement=statement,
                                       claimant=claimant, stance=stance, entity_ids=entity_ids,
                                       claimant_entity_id=speaker_id, created_by=annotator)
            return self.ClaimCreated(excerpt_id, claim, stance)

        return write


class RelationshipForm(BuildForm):
    """A new relationship, unreviewed, between two of the entities the excerpt
    mentions, with the excerpt (or the chosen words: from the span picker, ``R``)
    as evidence."""

    heading = "New relationship with this evidence"

    class RelationshipCreated(Built):
        def __init__(self, excerpt_id: int, relationship: Relationship, words: str) -> None:
            super().__init__(excerpt_id, f"New relationship (unreviewed): {words}; o on the tie "
                             "in either entity's detail opens it.", None)
            self.relationship = relationship

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each mentioned entity by the words its choice shows (a name twice: with its id);
        # those the chosen words name first, so subject and object start on them.
        self.ends: dict[str, int] = {}
        named = self.context.named_in(self.span)
        for entity in sorted(self.context.entities, key=lambda entity: entity.id not in named):
            name = one_line(entity.name, limit=TITLE_CHARS)
            self.ends[name if name not in self.ends else f"{name} ({entity.id})"] = entity.id or 0

    def fields(self) -> ComposeResult:
        names = list(self.ends) or ["(no entity mentioned)"]
        yield field_row("Subject", Choice(names, id="subject"))
        yield field_error("subject")
        yield field_row("Type", Choice([t.replace("_", " ") for t in RELATIONSHIP_TYPES], id="type"))
        yield field_row("Object", Choice(names, value=names[1] if len(names) > 1 else None,
                                         id="object"))
        yield field_error("object")
        yield field_row("Role", TextField(id="role", placeholder="in words, if any: head of mission"))
        yield field_row("Stance", Choice(STANCES, first=STANCE_LETTERS, id="stance"),
                        hint="of this evidence")

    def problems(self) -> dict[str, str]:
        if len(self.ends) < 2:
            return {"subject": "the excerpt mentions fewer than two entities: link them first (l)"}
        if self.choice("subject") == self.choice("object"):
            return {"object": "a relationship links two different entities"}
        return {}

    def writer(self) -> Callable[[], Built]:
        subject, object_ = self.choice("subject"), self.choice("object")
        type_ = self.choice("type").replace(" ", "_")
        role, stance = self.text("role").strip(), self.choice("stance")
        subject_id, object_id = self.ends[subject], self.ends[object_]
        excerpt_id, span, annotator = self.context.excerpt_id, self.span, self.annotator
        words = f"{subject} {type_.replace('_', ' ')} {object_}"

        def write() -> Built:
            made = relationship_from_excerpt(self.case, excerpt_id, subject_entity_id=subject_id,
                                             object_entity_id=object_id, type=type_, role=role,
                                             stance=stance, span=span, created_by=annotator)
            return self.RelationshipCreated(excerpt_id, made, words)

        return write


FORMS: dict[str, type[BuildForm]] = {"entity": EntityForm, "event": EventForm, "claim": ClaimForm,
                                     "relationship": RelationshipForm}
