"""Tables whose every cell is read in full, at any width the window gives them: a value too
long for its column wraps onto further lines instead of ending in "…", each row is as tall as
its longest value, and a heading too long for its column wraps too. Nothing is shortened, and
the table needs no horizontal scroll bar while its columns' longest words fit.

The width is shared out column by column: every column is at least as wide as its longest
word (or heading word); then, while there is room, a column is widened where that saves the
most lines of the table for the fewest pixels; what is left goes to the columns that still
wrap, else to the columns named to stretch. A number stays on the line of its unit or "%"."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

Index = QModelIndex | QPersistentModelIndex
_TALL = 1 << 20  # a height no text reaches: a box only its width limits
WRAP = Qt.TextFlag.TextWordWrap.value


# A line never breaks between a number and "%" ("+36.2 %"), nor before the number that ends
# a label ("Check 1"); nor, where the column allows it, between a number and its unit
# ("80 µmol/L"): the space there is drawn unbreakable.
_ALWAYS = re.compile(r"(?<=\d) (?=%)|(?<=[^\W\d_]) (?=\d+$)")
_UNIT = re.compile(r"(?<=\d) (?=[^\W\d_])")
_NO_BREAK = "\u00a0"
_DIGIT = re.compile(r"\d")


def kept_together(text: str, *, units: bool = True) -> str:
    """`text` as a cell draws it: the same words, with no line break inside "36.2 %" (nor,
    with `units`, inside "80 µmol/L")."""
    text = _ALWAYS.sub(_NO_BREAK, text)
    return _UNIT.sub(_NO_BREAK, text) if units else text


class WrappingDelegate(QStyledItemDelegate):
    """Draws a cell's text with its numbers kept with their units when it wraps (but in the
    `loose` columns, too narrow for that, with "%" only)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loose: frozenset[int] = frozenset()

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.text = kept_together(option.text, units=index.column() not in self.loose)


def text_margin(view: QTableView) -> int:
    """What the style leaves on each side of a cell's text (Qt's own item delegate)."""
    return view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1


def wrapped(metrics: QFontMetrics, width: int, text: str) -> QRect:
    """The box `text` takes wrapped at word boundaries into `width` pixels: wider than
    `width` when a word does not fit (and would be cut short)."""
    return metrics.boundingRect(QRect(0, 0, max(width, 1), _TALL), WRAP, text)


def one_line(metrics: QFontMetrics, text: str) -> int:
    """The width of `text` on one line, as `wrapped` measures it."""
    return metrics.boundingRect(QRect(0, 0, _TALL, _TALL), WRAP, text).width() if text else 0


def longest_word(metrics: QFontMetrics, text: str) -> int:
    """The width of the widest piece of `text` that cannot be broken onto another line."""
    return wrapped(metrics, 1, text).width() if text else 0


# What a cell needs across: the width at which it fits on one line, and on two.
Need = tuple[int, int]


def lines(need: Need, width: int) -> int:
    """About how many lines a cell takes at `width`: one, two, or three (or more)."""
    one, two = need
    return 1 if width >= one else 2 if width >= two else 3


def two_lines(metrics: QFontMetrics, text: str, least: int, most: int) -> int:
    """The narrowest width, between `least` and `most`, at which `text` takes two lines."""
    two = 2 * metrics.lineSpacing()
    while least < most:
        middle = (least + most) // 2
        if wrapped(metrics, middle, text).height() <= two:
            most = middle
        else:
            least = middle + 1
    return most


def share(
    least: Sequence[int], rows: Counter[tuple[Need, ...]], room: int, stretch: Sequence[int]
) -> list[int]:
    """Widths for the columns within `room`: each at least `least` (its longest word); then,
    while there is room, the widening that makes the table shortest for the fewest pixels
    (`rows` counts the rows of each kind: what each of its cells needs); what is left then
    goes to the columns not yet wide enough for all their values on one line, in proportion to
    what they lack, or, when every value is on one line, to the `stretch` columns."""
    widths = list(least)
    left = room - sum(widths)
    if left <= 0:
        return widths
    kinds = list(rows.items())
    steps = [sorted({w for row, _ in kinds for w in row[c]}) for c in range(len(widths))]

    def height(shown: list[int]) -> list[int]:  # each kind of row's lines, at `shown`
        return [max(lines(need, w) for need, w in zip(row, shown, strict=True)) for row, _ in kinds]

    while True:
        now = sum(h * count for h, (_, count) in zip(height(widths), kinds, strict=True))
        best: tuple[float, int, int] | None = None  # (lines saved per pixel, column, width)
        for column, candidates in enumerate(steps):
            rest = [  # the lines of each kind of row in the other columns
                max(
                    lines(need, width)
                    for c, (need, width) in enumerate(zip(row, widths, strict=True))
                    if c != column
                )
                if len(row) > 1
                else 1
                for row, _ in kinds
            ]
            for width in candidates:
                cost = width - widths[column]
                if cost <= 0:
                    continue
                if cost > left:
                    break
                total = sum(
                    max(r, lines(row[column], width)) * count
                    for r, (row, count) in zip(rest, kinds, strict=True)
                )
                saved = (now - total) / cost
                if saved > 0 and (best is None or saved > best[0]):
                    best = (saved, column, width)
        if best is None:
            break
        _saved, column, width = best
        left -= width - widths[column]
        widths[column] = width
    most = [max([0] + [row[c][0] for row, _ in kinds]) for c in range(len(widths))]
    lacking = [max(0, m - w) for m, w in zip(most, widths, strict=True)]
    share_to = lacking if sum(lacking) else [int(c in stretch) for c in range(len(widths))]
    total = sum(share_to)
    if left <= 0 or total == 0:
        return widths
    given = [left * part // total for part in share_to]
    for column in sorted(range(len(given)), key=lambda c: -share_to[c])[: left - sum(given)]:
        given[column] += 1  # the pixels rounding leaves, to the columns that lack the most
    return [w + g for w, g in zip(widths, given, strict=True)]


class WrappingHeader(QHeaderView):
    """A horizontal header whose labels wrap onto a second line in a narrow column, and grows
    as tall as its tallest wrapped label."""

    def __init__(self, parent: QTableView | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)

    def label(self, section: int) -> str:
        model = self.model()
        text = model.headerData(section, self.orientation()) if model is not None else None
        return str(text) if text is not None else ""

    def metrics(self) -> QFontMetrics:
        """The metrics Qt sizes a section with: of the bold font (a highlighted section's)."""
        font = QFont(self.font())
        font.setBold(True)
        return QFontMetrics(font)

    def padding(self, section: int) -> int:
        """What the style puts around a label, across."""
        return self.most(section) - one_line(self.metrics(), self.label(section))

    def least(self, section: int) -> int:
        """The narrowest the section can be with every word of its label whole."""
        return longest_word(self.metrics(), self.label(section)) + self.padding(section)

    def most(self, section: int) -> int:
        """The width of the label on one line."""
        return super().sectionSizeFromContents(section).width()

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:
        size = super().sectionSizeFromContents(logicalIndex)
        metrics = self.metrics()
        width = self.sectionSize(logicalIndex) - self.padding(logicalIndex)
        if width > 0:
            height = wrapped(metrics, width, self.label(logicalIndex)).height()
            size.setHeight(size.height() + max(0, height - metrics.height()))
        return size

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        for section in range(self.count()):
            if not self.isSectionHidden(section):
                hint.setHeight(max(hint.height(), self.sectionSizeFromContents(section).height()))
        return hint


class FittedColumns(QObject):
    """Keeps the columns of `view` shared out and its rows as tall as their text: measured
    once when `measure` is called (after the model is filled), laid out again whenever the
    table's width changes."""

    def __init__(self, view: QTableView, *, stretch: Sequence[int] = ()) -> None:
        super().__init__(view)
        self.view = view
        self.stretch = tuple(stretch)
        self.header = WrappingHeader(view)
        view.setHorizontalHeader(self.header)
        self.header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.header.setStretchLastSection(False)
        self.delegate = WrappingDelegate(view)
        view.setItemDelegate(self.delegate)
        view.setWordWrap(True)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)  # never reached when it fits
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._texts: list[list[str]] = []  # by column, then row, as the model gives them
        self._glued: list[tuple[list[str], list[str]]] = []  # by column: with units, without
        self._least: list[tuple[int, int]] = []  # by column: the longest word, each way
        self._needs: dict[tuple[int, str], Need] = {}  # by (least, text)
        self._one: dict[str, int] = {}  # by text: its width on one line
        self._room = -1
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.view.viewport().width() != self._room:
            self.lay_out()
        return False

    def measure(self) -> None:
        """Read what each cell shows (once) and lay the table out for it."""
        model = self.view.model()
        rows, columns = model.rowCount(), model.columnCount()
        display = Qt.ItemDataRole.DisplayRole

        def text(row: int, column: int) -> str:
            value = model.data(model.index(row, column), display)
            return "" if value is None else str(value)

        self._texts = [[text(r, c) for r in range(rows)] for c in range(columns)]
        metrics = QFontMetrics(self.view.font())
        margin = self.margin()
        self._glued, self._least, self._needs, self._one = [], [], {}, {}
        words: dict[str, int] = {}  # a value is measured once however many rows show it
        for column, texts in enumerate(self._texts):
            both = (
                [kept_together(t) for t in texts],
                [kept_together(t, units=False) for t in texts],
            )
            self._glued.append(both)
            least = [self.header.least(column)] * 2
            for way, shown in enumerate(both):
                for t in set(shown):
                    if t not in words:
                        words[t] = longest_word(metrics, t)
                    least[way] = max(least[way], words[t] + margin)
            self._least.append((least[0], least[1]))
        self._room = -1
        self.lay_out()

    def margin(self) -> int:
        """What a cell's width has besides its text: the margins and the grid line."""
        return 2 * text_margin(self.view) + self.view.showGrid()

    def _width(self, text: str) -> int:
        """The width of `text` on one line (measured once)."""
        if text not in self._one:
            self._one[text] = one_line(QFontMetrics(self.view.font()), text)
        return self._one[text]

    def _need(self, least: int, text: str) -> Need:
        """What `text` needs across, for choosing the widths: measured with its digits as
        zeros, so that values alike ("8.8 µg/L", "9.5 µg/L") are measured once (the rows are
        then sized to their own text)."""
        if not text:
            return (0, 0)
        text = _DIGIT.sub("0", text)
        if (least, text) not in self._needs:
            metrics = QFontMetrics(self.view.font())
            margin = self.margin()
            one = max(least, one_line(metrics, text) + margin)
            two = two_lines(metrics, text, least - margin, one - margin) + margin
            self._needs[least, text] = (one, two)
        return self._needs[least, text]

    def lay_out(self) -> None:
        """Share the width out and size the rows to their text: numbers kept with their
        units, except in the columns where that would not leave room for the others."""
        if not self._texts:
            return
        room = self.view.viewport().width()
        self._room = room
        loose: set[int] = set()
        least = [glued for glued, _ in self._least]
        for column in sorted(
            range(len(least)), key=lambda c: self._least[c][1] - self._least[c][0]
        ):
            if sum(least) <= room or self._least[column][1] >= least[column]:
                break
            loose.add(column)
            least[column] = self._least[column][1]
        self.delegate.loose = frozenset(loose)
        shown = [self._glued[c][c in loose] for c in range(len(least))]
        rows = Counter(
            tuple(self._need(least[c], texts[r]) for c, texts in enumerate(shown))
            for r in range(len(shown[0]) if shown else 0)
        )
        rows[tuple((self.header.most(c), self.header.most(c)) for c in range(len(least)))] += 1
        widths = share(least, rows, room, self.stretch)
        for column, width in enumerate(widths):
            self.header.resizeSection(column, width)
        self._size_rows(shown, widths)
        self.view.viewport().update()

    def row_height(self, lines_height: int) -> int:
        """A row for text `lines_height` pixels high: as much space around it as the table
        gives one line."""
        one_line = QFontMetrics(self.view.font()).height()
        return self.view.verticalHeader().defaultSectionSize() + max(0, lines_height - one_line)

    def _size_rows(self, shown: Sequence[Sequence[str]], widths: Sequence[int]) -> None:
        metrics = QFontMetrics(self.view.font())
        inside = [w - self.margin() for w in widths]
        vertical = self.view.verticalHeader()
        for row in range(len(shown[0]) if shown else 0):
            tallest = metrics.height()
            for column, width in enumerate(inside):
                text = shown[column][row]
                if text and self._width(text) > width:
                    tallest = max(tallest, wrapped(metrics, width, text).height())
            height = self.row_height(tallest)
            if vertical.sectionSize(row) != height:
                vertical.resizeSection(row, height)
