"""What the merchant may do to a case from the admin, each done by a queued job so the request stays quick."""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from functools import cache

from app import queues
from app.admin.tasks import FINISHED
from app.choices.offers import offers_for
from app.models import StockoutCase

# The job behind each button. Resending belongs to the notifications worker, which decides if a message may go;
# each click is its own resend, keyed by the click.
RESEND_JOB = ("notifications", "jobs.notify.resend_notice")
CLOSE_JOB = ("default", "app.admin.tasks.close_case")
CHOOSE_JOB = ("default", "app.admin.tasks.choose_for_customer")


@dataclass(frozen=True)
class OfferChoice:
    """An option the merchant may record for the customer."""

    key: str
    option: str
    title: str = ""


# Before an offer was prepared, the choosing service builds one from local facts: waiting and a refund.
LOCAL_OFFER = (OfferChoice("wait", "wait"), OfferChoice("refund", "refund"))


@cache
def job_exists(dotted: str) -> bool:
    """Whether a job function is deployed; a button whose job is missing is not shown."""
    module_name, _, name = dotted.rpartition(".")
    try:
        return callable(getattr(importlib.import_module(module_name), name, None))
    except ImportError:
        return False


def available(case: StockoutCase) -> dict[str, object]:
    """The actions the case page offers: resend, choose (with the offered options) and close."""
    if case.status in FINISHED:
        return {}
    actions: dict[str, object] = {"close": True}
    if (case.email or case.phone) and job_exists(RESEND_JOB[1]):
        actions["resend"] = True
    if case.choice is None:
        offered = [OfferChoice(offer.key, offer.option, offer.title) for offer in offers_for(case)]
        actions["choose"] = offered or list(LOCAL_OFFER)
    return actions


def enqueue(action: str, shop_id: int, case_id: int, offer_key: str | None = None):
    """Queue the job for an action; the job id makes a double click queue it once."""
    if action == "close":
        queue, path = CLOSE_JOB
        return queues.enqueue(queue, path, shop_id, case_id, job_id=f"admin-close-{shop_id}-{case_id}")
    if action == "resend":
        queue, path = RESEND_JOB
        click = uuid.uuid4().hex
        return queues.enqueue(queue, path, shop_id, case_id, click, job_id=f"admin-resend-{shop_id}-{case_id}-{click}")
    if action == "choose":
        queue, path = CHOOSE_JOB
        return queues.enqueue(queue, path, shop_id, case_id, offer_key, job_id=f"admin-choose-{shop_id}-{case_id}")
    raise ValueError(f"unknown case action {action!r}")
