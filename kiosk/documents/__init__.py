"""Printed documents, rendered to PDF with the CJK font embedded."""

from kiosk.documents.checklist import ChecklistContext, render_checklist
from kiosk.documents.doctor_report import render_doctor_report
from kiosk.documents.guide_document import render_guide
from kiosk.documents.layout import PAPERS, Paper, PrintContext
from kiosk.documents.receipts import (
    RATING_LEVELS,
    PrinterTestPage,
    render_rating_receipt,
    render_test_page,
)

__all__ = [
    "PAPERS",
    "RATING_LEVELS",
    "ChecklistContext",
    "Paper",
    "PrintContext",
    "PrinterTestPage",
    "render_checklist",
    "render_doctor_report",
    "render_guide",
    "render_rating_receipt",
    "render_test_page",
]
