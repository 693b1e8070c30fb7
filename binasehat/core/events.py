"""Signals that let a lower app react to writes in a higher one without importing it.

``records_changed(sender, posyandu_ids, months)``: posyandu data changed (monthly records, kader); the
assessments app re-evaluates the affected posyandu after the transaction commits."""

from django.dispatch import Signal

records_changed = Signal()

#: ``data_changed(sender, source, cells)``: records feeding the indicators changed. ``source`` names the kind
#: of record ("programs", "posyandu", "growth", "families", "assessments", "regions"); ``cells`` is an
#: iterable of (region code, first day of the month) touched, or None for "everything of this source".
#: Sent *inside* the writing transaction, so what it marks is committed (or rolled back) with the write.
data_changed = Signal()
