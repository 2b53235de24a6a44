"""What a caller may change in the reading of a file: OCR on or off, and every tolerance of
the PDF and OCR paths (each parser's own frozen settings, named once where they are used)."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.errors import ExtractionError
from parsers.libreoffice import SETTINGS as CONVERTER
from parsers.libreoffice import ConverterSettings
from parsers.ocr_settings import SETTINGS as OCR
from parsers.ocr_settings import OcrSettings
from parsers.pdf import DEFAULT as PDF
from parsers.pdf import PdfSettings


@dataclass(frozen=True)
class ParseOptions:
    ocr: bool = True  # False: pages that need OCR are refused (ocr_unavailable), never read
    ocr_settings: OcrSettings = field(default=OCR)
    pdf: PdfSettings = field(default=PDF)
    converter: ConverterSettings = field(default=CONVERTER)

    def ocr_or_refuse(self) -> OcrSettings:
        """The OCR settings, or the error a file needing OCR gets when OCR is off."""
        if not self.ocr:
            raise ExtractionError("ocr_unavailable", "распознавание (OCR) выключено настройками, а файл — скан")
        return self.ocr_settings


DEFAULT = ParseOptions()

__all__ = ["DEFAULT", "ParseOptions"]
