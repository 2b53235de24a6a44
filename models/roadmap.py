"""The canonical roadmap JSON as pydantic models.

Field order here is the key order of the output, so keep it as the contract lists it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.2"  # 1.1: duration, confidence, position, period.inferred, quality; title may be null
# 1.2: source.hints, status, error codes internal_error and bad_options

SourceFormat = Literal["docx", "doc", "odt", "rtf", "pdf", "scan", "image"]
ColumnRole = Literal["number", "activity", "schedule", "responsible", "result", "other"]
ScheduleKind = Literal[
    "date", "period", "deadline", "recurring", "ongoing",
    "on_demand", "per_schedule", "multiple", "unknown",
]
Recurrence = Literal["yearly", "semiannual", "quarterly", "monthly", "weekly"]
PartyKind = Literal["organization", "person", "role"]
Confidence = Literal["high", "low"]
DurationUnit = Literal["hour", "day", "week", "month", "year"]
ErrorCode = Literal[
    "unsupported_format", "corrupt_file", "encrypted_pdf", "empty_document",
    "no_plan_table", "too_large", "timeout", "ocr_unavailable", "converter_unavailable", "internal_error",
    "bad_options",
]
Status = Literal["complete", "partial"]
# warnings that mean part of the document was not read: the plan's status is then "partial"
PARTIAL_CODES = frozenset({"internal_error", "row_lost", "ocr_unavailable"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    filename: str = Field(description="Base name of the input file")
    sha256: str
    format: SourceFormat
    pages: int | None = Field(description="Page count; null where the format has no pages")
    ocr: bool = False
    hints: dict[str, str] = Field(
        default_factory=dict,
        description="What a person told the extractor instead of what the document says (period, "
        "municipality, columns, ocr, language_data), as given",
    )


class Period(_Model):
    start: dt.date | None
    end: dt.date | None
    text: str
    inferred: bool = Field(
        default=False,
        description="True where the document states no period and it was inferred (from the approval "
        "date or the dated cells); `text` then says from what",
    )


class Approval(_Model):
    text: str
    authority: str | None = None
    number: str | None = None
    date: dt.date | None = None


class PlanMeta(_Model):
    title: str | None = Field(description="The document's first heading; null (with a warning) where it has none")
    municipality: str | None = None
    period: Period | None = None
    approval: Approval | None = None
    preamble: list[str] = Field(default_factory=list)
    abbreviations: dict[str, str] = Field(default_factory=dict)


class Column(_Model):
    index: int
    header: str
    role: ColumnRole


class Section(_Model):
    id: str
    number: str | None = None
    title: str
    level: int = Field(ge=1)
    parent: str | None = None
    note: str | None = None


class Occurrence(_Model):
    start: dt.date | None
    end: dt.date | None


class Duration(_Model):
    value: float = Field(description="The length, or the lower bound of a range (\"2–3 дня\" -> 2)")
    max: float | None = Field(default=None, description="The upper bound of a range; null for one value")
    unit: DurationUnit
    working: bool | None = Field(default=None, description="True for working days, False for calendar days, "
                                 "null where the text does not say")


class Schedule(_Model):
    text: str
    kind: ScheduleKind
    start: dt.date | None = None
    end: dt.date | None = None
    recurrence: Recurrence | None = None
    occurrences: list[Occurrence] = Field(default_factory=list)
    note: str | None = None
    duration: Duration | None = Field(
        default=None,
        description="How long the activity takes (\"2–3 дня\", \"Срок, рабочих дней: 5\"); null otherwise")
    confidence: Confidence = Field(
        default="high", description="low where the rules guessed (a misspelling read, a year inferred, text left over)")


class Party(_Model):
    text: str
    name: str
    kind: PartyKind
    role: str | None = None
    body: str | None = Field(
        default=None,
        description="The named body a person or role belongs to, as the cell names it next to them "
        "(\"методист МАУ г. Нижневартовска «ЦРО»\" -> \"МАУ г. Нижневартовска «ЦРО»\"); null otherwise",
    )
    expansion: str | None = Field(
        default=None,
        description="The name with its abbreviations spelled out, where the plan (\"(далее – ШНОР)\") "
        "or the built-in glossary defines them; null when no abbreviation of the name is known",
    )
    position: str | None = Field(
        default=None,
        description="A person's position as the cell writes it next to the name (\"Зам. директора по ВР\" / "
        "\"Иванова И.И.\" -> \"Зам. директора по ВР\"); null otherwise",
    )
    confidence: Confidence = Field(default="high", description="low where the rules guessed the split or the kind")


class Provenance(_Model):
    page: int | None = None
    table: int
    rows: list[int]


class Activity(_Model):
    seq: int = Field(ge=1)
    number: str | None = None
    section: str | None = None
    title: str
    subitems: list[str] = Field(default_factory=list)
    schedule: Schedule
    responsible: list[Party] = Field(default_factory=list)
    result: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)
    provenance: Provenance


class SkippedTable(_Model):
    table: int = Field(description="Index among all tables of the document")
    reason: str = Field(description="Stable code: no_plan_header, summary_table, template_example, …")
    text: str = Field(description="The table's first words")


class Quality(_Model):
    """How much of the document's tables reached the plan, so a reader knows what to trust."""

    tables_found: int
    tables_used: int
    tables_skipped: list[SkippedTable] = Field(default_factory=list)
    rows_total: int = Field(description="Non-empty rows of the plan tables below their headers")
    rows_used: int = Field(description="Rows that became activities or sections (or joined one)")
    rows_skipped: int = Field(description="Rows named in a warning instead")
    word_share: float = Field(ge=0, le=1, description="Share of the words of all tables that reach the JSON")
    doubtful: list[str] = Field(default_factory=list, description="Codes of why the plan may not be a plan")


class Warning(_Model):
    code: str
    message: str
    activity: int | None = None


class Plan(_Model):
    """One extracted plan: the root of the canonical JSON."""

    schema_version: str = SCHEMA_VERSION
    source: Source
    plan: PlanMeta
    columns: list[Column]
    sections: list[Section] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    quality: Quality | None = None
    status: Status = Field(
        default="complete",
        description="complete: every page and row was read; partial: a warning with a code of "
        "internal_error, row_lost or ocr_unavailable says what was not",
    )


class ErrorInfo(_Model):
    code: ErrorCode
    message: str
    filename: str


class ErrorDocument(_Model):
    """What a file that cannot be read gives instead of a plan."""

    error: ErrorInfo
