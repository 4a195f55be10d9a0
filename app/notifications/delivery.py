"""Sending stored notifications at most once: check at send time, claim, send, record the outcome.

The one window we cannot close: a provider accepts a message and the worker dies before committing `sent`.
The row then stays `sending` (swept to `unconfirmed`) and is never sent again, so a crash can lose at most the
claimed batch's confirmations, never send twice. Claims are kept small to keep that window short: one SMS, or
one batch of at most EMAIL_BATCH e-mails over a shared connection (SMTP Message-IDs also come from the key).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from app import db
from app.channels.base import DeliveryError, SentReceipt, TransientDeliveryError
from app.models import BackInStockSubscription, CaseEvent, Notification, Shop, ShopSettings, StockoutCase
from app.notifications import optouts, policy, records, senders
from app.notifications.facts import case_state, settings_of
from app.notifications.records import Pending, among, pending
from app.notifications.relevance import moot_reason

EMAIL_BATCH = 100
SUBSCRIPTION_LIVE = ("waiting", "notified")


@dataclass
class Outcome:
    """What a delivery run did; `transient` holds the reasons of messages put back for a retry."""

    sent: int = 0
    failed: int = 0
    settled: int = 0
    transient: list[str] = field(default_factory=list)

    def merge(self, other: Outcome) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.settled += other.settled
        self.transient += other.transient

    def raise_if_transient(self) -> None:
        """Fail the job so RQ retries it with backoff; the rows already sent are not touched again."""
        if self.transient:
            raise TransientDeliveryError(f"{len(self.transient)} message(s) to retry: {self.transient[0]}")


def _subscription_consent(row: Pending, subscription: Row | None) -> str | None:
    """A sign-up records the customer's explicit consent on the channels they gave us (SUBSCRIBED)."""
    if subscription is None or subscription.consent_at is None:
        return None
    given = subscription.email if row.channel == "email" else subscription.phone
    return policy.MARKETING_SUBSCRIBED if given else None


@dataclass
class _Facts:
    """What the send-time checks of a batch read, in one query each."""

    cases: dict[int, StockoutCase]
    subscriptions: dict[int, Row]
    opted_out: dict[str, set[str]]
    delivered: dict[str, int]


def _facts(session: Session, rows: Sequence[Pending], shop_id: int, capped: bool, now: datetime) -> _Facts:
    case_ids = {row.case_id for row in rows if row.case_id}
    subscription_ids = {row.subscription_id for row in rows if row.subscription_id}
    by_channel = defaultdict(list)
    for row in rows:
        by_channel[row.channel].append(row.recipient)
    counted = [row.recipient for row in rows
               if capped and policy.category(row.kind) is not policy.Category.TRANSACTIONAL]
    sign_up = BackInStockSubscription
    return _Facts(
        cases={c.id: c for c in session.scalars(
            select(StockoutCase).where(StockoutCase.shop_id == shop_id, among(session, StockoutCase.id, case_ids))
        )} if case_ids else {},
        # Only the columns the checks read: a blast asks this for every batch of sign-ups.
        subscriptions={s.id: s for s in session.execute(
            select(sign_up.id, sign_up.status, sign_up.consent_at, sign_up.email, sign_up.phone)
            .where(sign_up.shop_id == shop_id, among(session, sign_up.id, subscription_ids))
        )} if subscription_ids else {},
        opted_out={channel: optouts.opted_out(session, shop_id, channel, to) for channel, to in by_channel.items()},
        delivered=records.delivered_last_day(session, shop_id, counted, now),
    )


def verdicts(session: Session, rows: Sequence[Pending], shop: Shop, settings: ShopSettings, now: datetime):
    """Send-time checks for each row: still wanted, not opted out, consented, under the cap."""
    if not shop.is_installed:
        return {row.id: policy.Verdict("cancelled", "the shop uninstalled the app") for row in rows}
    facts = _facts(session, rows, shop.id, settings.messages_per_customer_per_day > 0, now)
    decided = {}
    for row in rows:
        case = facts.cases.get(row.case_id)
        subscription = facts.subscriptions.get(row.subscription_id)
        moot = moot_reason(row.kind, case_state(case) if case else None, shop_installed=True)
        if row.subscription_id and (subscription is None or subscription.status not in SUBSCRIPTION_LIVE):
            moot = "the sign-up was withdrawn"
        verdict = policy.Verdict("cancelled", moot) if moot else policy.gate(
            row.kind,
            opted_out=row.recipient in facts.opted_out[row.channel],
            marketing_state=_subscription_consent(row, subscription),
            sent_last_day=facts.delivered.get(row.recipient, 0),
            per_day=settings.messages_per_customer_per_day,
        )
        if verdict.sends:
            facts.delivered[row.recipient] = facts.delivered.get(row.recipient, 0) + 1
        decided[row.id] = verdict
    return decided


def _settle_refused(session: Session, rows, decided, now: datetime) -> list[Pending]:
    """Record why refused rows are not sent; return the rows that may be sent."""
    refused = defaultdict(list)
    for row in rows:
        if not decided[row.id].sends:
            refused[(decided[row.id].status, decided[row.id].reason)].append(row.id)
    for (status, reason), ids in refused.items():
        records.settle(session, ids, status, reason, now)
    return [row for row in rows if decided[row.id].sends]


def send_batch(rows: Sequence[Pending], shop: Shop, now: datetime) -> Outcome:
    """Check, claim, send and record one batch of rows of one channel; commits before and after sending."""
    session = db.session()
    settings = settings_of(shop)
    allowed = _settle_refused(session, rows, verdicts(session, rows, shop, settings, now), now)
    outcome = Outcome(settled=len(rows) - len(allowed))
    if allowed:
        email = allowed[0].channel == "email"
        # Built before the claim: a misconfigured backend fails here, leaving the rows queued.
        sender = senders.email_sender() if email else senders.sms_sender(settings)
        messages = {row.id: senders.outgoing_email(row, shop, settings) if email else senders.outgoing_sms(row)
                    for row in allowed}
        sending = records.claim(session, allowed, now)
        if email:
            results = sender.send_many([messages[row.id] for row in sending])
        else:
            results = [_send_one(sender, messages[row.id]) for row in sending]
        _record(session, shop, list(zip(sending, results)), outcome, now)
    session.commit()
    return outcome


def _send_one(sender, message) -> SentReceipt | DeliveryError:
    try:
        return sender.send(message)
    except DeliveryError as error:
        return error


def _record(session: Session, shop: Shop, results, outcome: Outcome, now: datetime) -> None:
    sent = [(row, result) for row, result in results if isinstance(result, SentReceipt)]
    transient = [(row, result.reason) for row, result in results if isinstance(result, TransientDeliveryError)]
    failed = [
        (row, result.reason) for row, result in results
        if isinstance(result, DeliveryError) and not isinstance(result, TransientDeliveryError)
    ]
    records.mark_sent(session, [(row.id, receipt) for row, receipt in sent], now)
    records.mark_failed(session, [(row.id, reason) for row, reason in failed], now)
    requeued = set(records.release(session, transient, now))
    gave_up = [(row, reason) for row, reason in transient if row.id not in requeued]
    after_sent(session, shop, [row for row, _ in sent], now)
    after_failed(session, failed + gave_up)
    outcome.sent += len(sent)
    outcome.failed += len(failed) + len(gave_up)
    outcome.transient += [reason for row, reason in transient if row.id in requeued]


def after_sent(session: Session, shop: Shop, rows: Sequence[Pending], now: datetime) -> None:
    """What a sent message changes: the case was notified (once), the follow-up went, the sign-up was served."""
    for row in rows:
        if row.case_id is None:
            continue
        session.add(CaseEvent(shop_id=shop.id, case_id=row.case_id, kind="message_sent", created_at=now,
                              detail={"kind": row.kind, "channel": row.channel, "notification_id": row.id}))
        if row.kind == "stockout_notice" and _set_once(session, shop.id, row.case_id, "notified_at", now):
            session.add(CaseEvent(shop_id=shop.id, case_id=row.case_id, kind="notified", created_at=now,
                                  detail={"channel": row.channel, "notification_id": row.id}))
        if row.kind == "satisfaction_followup":
            _set_once(session, shop.id, row.case_id, "followup_sent_at", now)
    served = [row.subscription_id for row in rows if row.subscription_id]
    if served:
        session.execute(
            update(BackInStockSubscription)
            .where(BackInStockSubscription.shop_id == shop.id, among(session, BackInStockSubscription.id, served))
            .where(BackInStockSubscription.status == "waiting")
            .values(status="notified", notified_at=now)
            .execution_options(synchronize_session=False)
        )


def after_failed(session: Session, failed) -> None:
    """A message that cannot go shows on its case's timeline with the reason."""
    for row, reason in failed:
        if row.case_id is not None:
            session.add(CaseEvent(shop_id=row.shop_id, case_id=row.case_id, kind="message_failed",
                                  detail={"kind": row.kind, "channel": row.channel, "reason": reason}))


def _set_once(session: Session, shop_id: int, case_id: int, column: str, now: datetime) -> bool:
    field_ = getattr(StockoutCase, column)
    result = session.execute(
        update(StockoutCase)
        .where(StockoutCase.shop_id == shop_id, StockoutCase.id == case_id, field_.is_(None))
        .values({column: now})
    )
    return result.rowcount == 1


def deliver(rows: Sequence[Notification | Pending], shop: Shop, now: datetime) -> Outcome:
    """Send the due rows: e-mail in batches over one connection, each SMS on its own claim."""
    outcome = _send_due([pending(row) for row in rows], shop, now)
    # The bulk updates bypassed mapped rows: reload them if anyone looks again.
    session = db.session()
    for row in rows:
        if isinstance(row, Notification) and row in session:
            session.expire(row)
    return outcome


def _send_due(rows: list[Pending], shop: Shop, now: datetime) -> Outcome:
    outcome = Outcome()
    due = [row for row in rows if row.status == "queued" or (row.status == "scheduled" and row.scheduled_for <= now)]
    emails = [row for row in due if row.channel == "email"]
    texts = [row for row in due if row.channel != "email"]
    for start in range(0, len(emails), EMAIL_BATCH):
        outcome.merge(send_batch(emails[start:start + EMAIL_BATCH], shop, now))
    for row in texts:
        outcome.merge(send_batch([row], shop, now))
    return outcome
