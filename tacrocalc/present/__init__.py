"""Values become words here, and only here, in the units the user chose (R1.4).

Qt-free and reportlab-free: the window (`ui/`), the printed plan (`report/`) and the command line
(`cli.py`) take their text, table rows and chart series from this package and never format a
clinical value themselves. See ARCHITECTURE.md for how a value travels from a field to the PDF.
"""
