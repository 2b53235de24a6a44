"""Options of one extraction: the hints a person gives (plan period, municipality, column
roles, OCR on or off, a folder of language data) and the settings of every stage.

One frozen, validated object, built with `Options.resolve()` from nothing, a dict (the service's
JSON, a hints file) or another Options with changes, as pdfplumber builds its table settings.
The command line and the service build it; `extract(path, options)` takes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from extractor.rows import SPLIT, SplitSettings
from extractor.tables import STITCH, StitchSettings
from models import ColumnRole, Period
from parsers.libreoffice import SETTINGS as CONVERTER
from parsers.libreoffice import ConverterSettings
from parsers.ocr_settings import SETTINGS as OCR
from parsers.ocr_settings import OcrSettings
from parsers.options import ParseOptions
from parsers.pdf import DEFAULT as PDF
from parsers.pdf import PdfSettings

_PERIOD = re.compile(r"^\s*((?:19|20)\d\d)\s*(?:[-–—/]\s*((?:19|20)\d\d)\s*)?(.*)$")
_ACADEMIC = re.compile(r"учеб|тренир|academic", re.IGNORECASE)


class OptionsError(ValueError):
    """Options that cannot be used, with a message for a person."""


class PeriodHint(BaseModel):
    """The plan's period as a person states it: one year or two, calendar or academic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(ge=1990, le=2100)
    end: int | None = Field(default=None, ge=1990, le=2100)
    academic: bool = False  # September to August, as учебный and тренировочный годы run

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        """"2020", "2020-2021", "2020/2021 учебный" as well as the fields."""
        if isinstance(value, int):
            return {"start": value}
        if not isinstance(value, str):
            return value
        found = _PERIOD.match(value)
        if found is None or (found.group(3).strip() and not _ACADEMIC.search(found.group(3))):
            raise ValueError(f"период не понят: «{value}» (пример: 2020, 2020-2021, 2020/2021 учебный)")
        start, end = int(found.group(1)), int(found.group(2)) if found.group(2) else None
        return {"start": start, "end": end, "academic": bool(_ACADEMIC.search(found.group(3)))}

    @model_validator(mode="after")
    def _ordered(self) -> PeriodHint:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"конец периода {self.end} раньше начала {self.start}")
        if self.academic and self.end is not None and self.end != self.start + 1:
            raise ValueError(f"учебный год длится с сентября по август: {self.start}-{self.end} не учебный год")
        return self

    def period(self) -> Period:
        if self.academic:
            return Period(start=dt.date(self.start, 9, 1), end=dt.date(self.start + 1, 8, 31),
                          text=f"{self.start}-{self.start + 1} учебный год")
        end = self.end or self.start
        text = f"{self.start} год" if end == self.start else f"{self.start}-{end} годы"
        return Period(start=dt.date(self.start, 1, 1), end=dt.date(end, 12, 31), text=text)


class Options(BaseModel):
    """Everything one extraction can be told. Frozen: change it with `resolve(options, **changes)`."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    # hints: what a person knows better than the document says
    period: PeriodHint | None = None  # replaces the period the document states or implies
    municipality: str | None = None  # replaces the one found in the title
    columns: dict[int, ColumnRole] = Field(default_factory=dict)  # grid column (as in `columns[].index`) → role
    ocr: bool = True  # False: scans are refused (ocr_unavailable) instead of read
    language_data: Path | None = None  # a folder of YAML files replacing the packaged vocabularies of the same name

    # settings of every stage (each stage's own frozen dataclass)
    pdf: PdfSettings = PDF
    ocr_settings: OcrSettings = OCR
    converter: ConverterSettings = CONVERTER
    stitch: StitchSettings = STITCH
    split: SplitSettings = SPLIT

    @field_validator("municipality")
    @classmethod
    def _municipality(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if not value:
            raise ValueError("название муниципалитета пустое")
        return value

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[int, ColumnRole]) -> dict[int, ColumnRole]:
        if any(index < 0 for index in value):
            raise ValueError("номер столбца не может быть отрицательным")
        return dict(sorted(value.items()))

    @field_validator("language_data")
    @classmethod
    def _language_data(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"папки с языковыми данными нет: {value}")
        return value

    @classmethod
    def resolve(cls, value: Options | Mapping[str, Any] | None = None, **changes: Any) -> Options:
        """Options from nothing (the defaults), a dict or Options, with `changes` on top; nested
        settings may be given as dicts of their fields. Raises OptionsError."""
        if isinstance(value, Options):
            base: dict[str, Any] = dict(value)
        else:
            base = dict(value or {})
        base.update({k: v for k, v in changes.items() if v is not None})
        try:
            return cls.model_validate(base)
        except ValidationError as exc:
            raise OptionsError(_messages(exc)) from exc

    def parse_options(self) -> ParseOptions:
        return ParseOptions(ocr=self.ocr, ocr_settings=self.ocr_settings, pdf=self.pdf, converter=self.converter)

    def hints(self) -> dict[str, str]:
        """The hints in force, as the JSON's `source.hints` records them."""
        out: dict[str, str] = {}
        if self.period is not None:
            out["period"] = self.period.period().text
        if self.municipality is not None:
            out["municipality"] = self.municipality
        if self.columns:
            out["columns"] = ", ".join(f"{index}={role}" for index, role in self.columns.items())
        if not self.ocr:
            out["ocr"] = "off"
        if self.language_data is not None:
            out["language_data"] = str(self.language_data)
        return out


# pydantic's error types in Russian ({…} from the error's context); others fall back to its text
_ERRORS = {
    "extra_forbidden": "нет такой настройки",
    "unexpected_keyword_argument": "нет такой настройки",
    "literal_error": "допустимые значения: {expected}",
    "int_parsing": "нужно целое число",
    "int_type": "нужно целое число",
    "float_parsing": "нужно число",
    "float_type": "нужно число",
    "bool_parsing": "нужно да или нет (true / false)",
    "bool_type": "нужно да или нет (true / false)",
    "string_type": "нужна строка",
    "greater_than_equal": "не меньше {ge}",
    "less_than_equal": "не больше {le}",
    "dict_type": "нужен словарь",
    "model_type": "нужен словарь",
    "dataclass_type": "нужен словарь",
    "path_type": "нужен путь к папке",
}


def _messages(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        ctx = error.get("ctx", {})
        if "error" in ctx:
            message = str(ctx["error"])
        elif error["type"] in _ERRORS:
            message = _ERRORS[error["type"]].format(**ctx).replace("' or '", "', '")
        else:
            message = error["msg"]
        parts.append(f"{where}: {message}" if where else message)
    return "неверные настройки: " + "; ".join(parts)


DEFAULT = Options()

__all__ = ["DEFAULT", "Options", "OptionsError", "PeriodHint"]
