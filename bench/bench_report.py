"""Benchmark of the monitoring plan: build and render a patient with a year of results.

    .venv/bin/python bench/bench_report.py

Baseline, in the same process: rendering a one-page reportlab document with a single
paragraph. Prints both (median of repeated runs) and the ratio; target under 200 ms absolute.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from bench_core import year_record
from common import median_ms
from pypdf import PdfReader
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from tacrocalc.domain.assessment import assess
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.report import plan_pdf
from tacrocalc.report.pdf import register_fonts


def one_paragraph() -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, invariant=1).build(
        [Paragraph("Tacrolimus monitoring plan", getSampleStyleSheet()["Normal"])]
    )
    return buffer.getvalue()


def main() -> None:
    protocol = load_protocol()
    record = year_record()
    today = date(2026, 1, 10)
    generated = datetime(2026, 1, 10, 9, 0)

    def plan() -> bytes:
        return plan_pdf(assess(record, protocol, today), generated_at=generated)

    register_fonts()
    plan()  # first use: fonts parsed, modules imported
    one_paragraph()
    baseline = median_ms(one_paragraph, 30)
    full = median_ms(plan, 15)
    pages = len(PdfReader(io.BytesIO(plan())).pages)
    print(f"  baseline: one-page reportlab document, one paragraph  {baseline:8.2f} ms")
    print(
        f"  plan of a year of results ({len(record.observations)} observations, {pages} pages)"
        f"  {full:8.2f} ms  ratio {full / baseline:5.1f}  target < 200 ms: "
        f"{'met' if full < 200 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
