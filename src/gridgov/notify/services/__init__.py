"""The notify use cases: delivering what the outbox holds, receipts, the inbox, consent and unsubscribing."""

from gridgov.notify.services.deliver import DeliveryReport, deliver_batch, deliver_due, settle
from gridgov.notify.services.people import (
    case_messages,
    import_staff_contacts,
    inbox,
    mark_read,
    my_contacts,
    record_receipt,
    set_contact,
    set_my_contact,
    unsubscribe,
)

__all__ = [
    "DeliveryReport",
    "case_messages",
    "deliver_batch",
    "deliver_due",
    "import_staff_contacts",
    "inbox",
    "mark_read",
    "my_contacts",
    "record_receipt",
    "set_contact",
    "set_my_contact",
    "settle",
    "unsubscribe",
]
