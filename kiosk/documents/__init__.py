"""Printed documents, rendered to PDF with the CJK font embedded."""

from kiosk.documents.checklist import ChecklistContext, render_checklist
from kiosk.documents.layout import PAPERS, Paper

__all__ = ["PAPERS", "ChecklistContext", "Paper", "render_checklist"]
