"""Signals that let a lower app react to writes in a higher one without importing it.

``records_changed(sender, posyandu_ids, months)``: posyandu data changed (monthly records, kader); the
assessments app re-evaluates the affected posyandu after the transaction commits."""

from django.dispatch import Signal

records_changed = Signal()
