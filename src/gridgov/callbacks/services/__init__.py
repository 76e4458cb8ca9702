"""回访 use cases: fill the queue from closed cases (sweep_closed), record a call (record_attempt)."""

from gridgov.callbacks.services.queue import Answers, CallbackPolicy, SweepReport, record_attempt, sweep_closed

__all__ = ["Answers", "CallbackPolicy", "SweepReport", "record_attempt", "sweep_closed"]
