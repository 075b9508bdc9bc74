"""The printed monitoring plan (Qt-free; reportlab is imported only when a plan is made)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tacrocalc.domain.assessment import Assessment
    from tacrocalc.present.units import DisplayUnits


def plan_pdf(
    assessment: Assessment,
    *,
    generated_at: datetime,
    paper: str = "a4",
    units: DisplayUnits | None = None,
) -> bytes:
    """Build the plan of an assessed patient and render it to PDF bytes, every value in `units`
    (the protocol's when None)."""
    import tacrocalc
    from tacrocalc.present.plan import build_plan
    from tacrocalc.present.units import DisplayUnits
    from tacrocalc.present.words import Words
    from tacrocalc.report.pdf import render

    words = Words(units or DisplayUnits(), assessment.protocol)
    plan = build_plan(
        assessment, generated_at=generated_at, version=tacrocalc.__version__, words=words
    )
    return render(plan, paper=paper)
