"""The printed monitoring plan (Qt-free; reportlab is imported only when a plan is made)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tacrocalc.domain.assessment import Assessment


def plan_pdf(assessment: Assessment, *, generated_at: datetime, paper: str = "a4") -> bytes:
    """Build the plan of an assessed patient and render it to PDF bytes."""
    import tacrocalc
    from tacrocalc.report.content import build_plan
    from tacrocalc.report.pdf import render

    plan = build_plan(assessment, generated_at=generated_at, version=tacrocalc.__version__)
    return render(plan, paper=paper)
