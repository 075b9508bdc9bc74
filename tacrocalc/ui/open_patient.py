"""The open patient: its record and assessment, read from the store once per write.

Every panel of the patient view listens to one signal, `changed`, instead of being refreshed by
hand after each action. Writes go through `write`, which reads the record again only when the
store accepted the write, so a refused entry leaves the screen (and what was typed) as it was.
A write the ward server refuses (a viewer's login) or cannot take (the connection lost), and a
write based on an older version of the patient than the one stored now (`StaleRecord`: another
workstation changed it first), are refused the same way, and told once through `store_refused`
(the window's status bar, which offers to reload a stale patient).

`version` is the patient's version as it was just before the record shown was read: the window
compares it with the store's when the ward server says the patient changed, so that its own
writes (already shown) are not read twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from tacrocalc.domain.assessment import Assessment
    from tacrocalc.domain.course import CourseEvent
    from tacrocalc.domain.protocol import Protocol
    from tacrocalc.domain.record import CoMedicationChange, Observation, PatientRecord
    from tacrocalc.records.store import Store, StoreError, Written


class OpenPatient(QObject):
    """One patient as the store holds it now, assessed on today's date."""

    changed = Signal()  # the record was read again: every panel shows it anew
    # A write the ward server refused or could not take (ReadOnlyRole, ServerUnavailable):
    # nothing was saved. Carries the store's error, one sentence naming the server.
    store_refused = Signal(object)

    def __init__(
        self,
        store: Callable[[], Store],
        protocol_for: Callable[[str], Protocol],
        today: Callable[[], date],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._protocol_for = protocol_for
        self._today = today
        self.patient_id: str | None = None
        self.record: PatientRecord | None = None
        self.assessment: Assessment | None = None
        self.include_deleted = False
        self.observations: list[tuple[int, Observation, str | None]] = []
        self.events: list[tuple[int, CourseEvent]] = []  # (id, event): what a correction names
        # (id, note): the interacting-drug notes (R11) a correction or a deletion names
        self.co_medication: list[tuple[int, CoMedicationChange]] = []
        self.version: int | None = None  # the patient's version read just before the record

    def _read(self, patient_id: str) -> PatientRecord | None:
        """The record, with its version read first: a write in between makes `version` older
        than the record, never newer (so a change is read again rather than missed)."""
        store = self._store()
        version = store.version(patient_id)
        record = store.load(patient_id)
        self.version = version
        return record

    def open(self, patient_id: str) -> bool:
        """Open a patient; False when the store has no such patient."""
        record = self._read(patient_id)
        if record is None:
            return False
        self.patient_id = patient_id
        self._show(record)
        return True

    def stored(self) -> PatientRecord:
        """The record as stored at this moment, without showing it: what advice is checked
        against just before it is acted on (another window may have written since)."""
        assert self.patient_id is not None
        record = self._store().load(self.patient_id)
        assert record is not None
        return record

    def reload(self) -> None:
        """Read the record once, assess it, and tell every panel. What is typed in the panels'
        fields stays (only another patient clears them)."""
        if self.patient_id is not None:
            record = self._read(self.patient_id)
            assert record is not None
            self._show(record)

    def reload_if_changed(self) -> bool:
        """Read the record again when its version is no longer the one shown (another
        workstation changed it); True when it was read again."""
        if self.patient_id is None or self._store().version(self.patient_id) == self.version:
            return False
        self.reload()
        return True

    def _show(self, record: PatientRecord) -> None:
        """Assess `record`, read just now, and tell every panel."""
        from tacrocalc.domain.assessment import assess

        assert self.patient_id is not None
        self.record = record
        self.assessment = assess(record, self._protocol_for(record.protocol_id), self._today())
        self.observations = self._store().observations(
            self.patient_id, include_deleted=self.include_deleted
        )
        self.events = self._store().events(self.patient_id)
        self.co_medication = self._store().co_medication(self.patient_id)
        self.changed.emit()

    def write(self, action: Callable[[Store], Written]) -> Written:
        """Run one write; when the store accepted it, read the record again (once)."""
        from tacrocalc.ui.none_guard import keep_none_alive

        keep_none_alive()  # every write emits signals: each costs the binding a True
        store = self._store()
        try:
            written = action(store)
        except Exception as error:
            refusal = server_refusal(store, error)
            if refusal is None:
                raise  # the store's other errors are told as before (ui.app's error handler)
            self.store_refused.emit(refusal)
            return refused(refusal)
        if written.ok:
            self.reload()
        return written


def server_refusal(store: Store, error: BaseException) -> StoreError | None:
    """`error` as the ward server's refusal of a write (a viewer's login), a lost connection,
    or a write refused because another workstation changed the patient first (on either
    store); None when it is none of these."""
    from tacrocalc.records.store import ReadOnlyRole, ServerUnavailable, StaleRecord

    told = store.explain(error)
    return told if isinstance(told, ReadOnlyRole | ServerUnavailable | StaleRecord) else None


def refused(error: StoreError) -> Written:
    """A write that did not happen, as the panels show a refusal next to what was typed: "The
    patient store cannot be used: " and the store's sentence ("your login … may read patients
    but not change them", "the connection to … was lost"); a write refused because another
    workstation changed the patient first as the store says it ("Not saved: H1 was changed by
    drjones at 14:32 — reload to see it. What you typed is kept.")."""
    from tacrocalc.domain.issues import Issue, IssueCode
    from tacrocalc.records.store import StaleRecord, Written

    if isinstance(error, StaleRecord):
        issue = Issue.refusal(
            IssueCode.CHANGED_ELSEWHERE, field="data", value="", reason=str(error)
        )
        return Written(issues=(issue,))
    reason = str(error).removeprefix("Not saved: ")
    reason = reason[:1].lower() + reason[1:]
    return Written(
        issues=(Issue.refusal(IssueCode.STORE_UNUSABLE, field="data", value="", reason=reason),)
    )
