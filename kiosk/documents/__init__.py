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
from kiosk.documents.service_papers import REFERENCE_ONLY, render_appointment_slip, render_query_table

__all__ = [
    "PAPERS",
    "RATING_LEVELS",
    "REFERENCE_ONLY",
    "ChecklistContext",
    "Paper",
    "PrintContext",
    "PrinterTestPage",
    "render_appointment_slip",
    "render_checklist",
    "render_doctor_report",
    "render_guide",
    "render_query_table",
    "render_rating_receipt",
    "render_test_page",
]
