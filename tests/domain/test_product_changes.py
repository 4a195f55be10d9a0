"""Product changes: minimal, idempotent plans, and restores that undo only what the app did."""

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.catalogue_policy import CatalogueAction as A, CatalogueDecision, DecisionReason as R, DelistMode, Scope
from app.domain.presale_label import PRESALE_TAG, presale_label
from app.domain.product_changes import (
    AddTags,
    AppliedChanges,
    DeleteMetafield,
    InventoryPolicy as P,
    ProductSnapshot,
    ProductStatus as S,
    Publish,
    RemoveTags,
    SetMetafield,
    SetStatus,
    SetTitle,
    SetVariantPolicies,
    Unpublish,
    VariantPolicyChange,
    VariantState,
    plan_apply,
    plan_restore,
    simulate,
)

OCT_20, NOV_3 = date(2026, 10, 20), date(2026, 11, 3)


def snapshot(**changes):
    base = ProductSnapshot(
        product_id="gid://shopify/Product/1",
        title="Blue shirt",
        status=S.ACTIVE,
        tags=frozenset({"summer"}),
        published_on_online_store=True,
        variants={"v1": VariantState(P.DENY), "v2": VariantState(P.DENY), "v3": VariantState(P.DENY, tracked=False)},
    )
    return replace(base, **changes)


def presale(ship_by=OCT_20, variants=("v1", "v2"), scope=Scope.PRODUCT, **extra):
    return CatalogueDecision(A.PRESALE, R.RESTOCK_WITHIN_PRESALE, scope, variants, ship_by, 5, **extra)


def keep_selling(ship_by=OCT_20, variants=("v1", "v2")):
    return CatalogueDecision(A.KEEP_SELLING, R.RESTOCK_SOON, Scope.PRODUCT, variants, ship_by, 2)


def delist(mode=DelistMode.UNPUBLISH):
    return CatalogueDecision(A.DELIST, R.RESTOCK_UNKNOWN, variant_ids=("v1", "v2"), delist_mode=mode)


def apply(product, decision, applied=None, locale="en", fmt=None):
    plan = plan_apply(product, decision, applied, locale, fmt)
    return plan, simulate(product, plan)


def kinds(plan):
    return [type(op) for op in plan.operations]


def test_presale_plan_writes_policies_title_tag_and_ship_by_once():
    plan, after = apply(snapshot(), presale(), locale="zh-CN")
    assert kinds(plan) == [SetVariantPolicies, SetTitle, AddTags, SetMetafield]
    assert plan.operations[0] == SetVariantPolicies(
        (VariantPolicyChange("v1", P.DENY, P.CONTINUE), VariantPolicyChange("v2", P.DENY, P.CONTINUE))
    )
    assert after.title == "【预售 10.20 发货】Blue shirt"
    assert after.tags == {"summer", PRESALE_TAG}
    assert after.ship_by == OCT_20
    assert after.variants["v3"].inventory_policy == P.DENY
    assert plan.applied == AppliedChanges(
        original_title="Blue shirt", label=presale_label(OCT_20, "zh-CN"), tag_added=PRESALE_TAG,
        flipped_variants={"v1": P.DENY, "v2": P.DENY}, ship_by_set=OCT_20,
    )


@pytest.mark.parametrize("decision", [presale(), keep_selling(), delist(), delist(DelistMode.DRAFT)])
def test_applying_the_same_decision_twice_changes_nothing(decision):
    first, after = apply(snapshot(), decision)
    second = plan_apply(after, decision, first.applied, "en")
    assert second.is_empty
    assert second.applied == first.applied


def test_keep_selling_allows_overselling_without_label_or_tag():
    plan, after = apply(snapshot(), keep_selling())
    assert kinds(plan) == [SetVariantPolicies, SetMetafield]
    assert after.title == "Blue shirt" and after.tags == {"summer"}


def test_partial_presale_switches_only_those_variants_and_leaves_the_title():
    plan, after = apply(snapshot(), presale(variants=("v1",), scope=Scope.VARIANTS))
    assert kinds(plan) == [SetVariantPolicies, AddTags, SetMetafield]
    assert after.variants["v1"].inventory_policy == P.CONTINUE
    assert after.variants["v2"].inventory_policy == P.DENY
    assert after.title == "Blue shirt"


def test_untracked_and_unknown_variants_are_never_flipped():
    plan, after = apply(snapshot(), presale(variants=("v3", "gone")))
    assert SetVariantPolicies not in kinds(plan)
    assert after.variants == snapshot().variants


@pytest.mark.parametrize("merchant_tag", [PRESALE_TAG, "Stockout-Presale"])
def test_a_tag_the_merchant_already_had_is_neither_added_nor_removed(merchant_tag):
    product = snapshot(tags=frozenset({"summer", merchant_tag}))
    plan, after = apply(product, presale())
    assert AddTags not in kinds(plan)
    assert plan.applied.tag_added is None
    restore = plan_restore(after, plan.applied)
    assert RemoveTags not in kinds(restore)
    assert simulate(after, restore) == product


def test_variants_the_merchant_already_let_oversell_stay_that_way():
    product = snapshot(variants={"v1": VariantState(P.CONTINUE), "v2": VariantState(P.DENY)})
    plan, after = apply(product, presale())
    assert plan.applied.flipped_variants == {"v2": P.DENY}
    assert simulate(after, plan_restore(after, plan.applied)).variants["v1"].inventory_policy == P.CONTINUE


@pytest.mark.parametrize(
    ("decision", "expected", "restore_kinds"),
    [
        (delist(), [Unpublish], [Publish]),
        (delist(DelistMode.DRAFT), [SetStatus], [SetStatus]),
    ],
)
def test_delist_and_restore(decision, expected, restore_kinds):
    product = snapshot()
    plan, after = apply(product, decision)
    assert kinds(plan) == expected
    restore = plan_restore(after, plan.applied)
    assert kinds(restore) == restore_kinds
    assert simulate(after, restore) == product
    assert restore.applied.is_empty()


@pytest.mark.parametrize("status", [S.ACTIVE, S.UNLISTED])
def test_draft_remembers_the_status_it_replaced(status):
    plan, after = apply(snapshot(status=status), delist(DelistMode.DRAFT))
    assert plan.operations == (SetStatus(status, S.DRAFT),)
    assert plan.applied.drafted_from == status
    assert simulate(after, plan_restore(after, plan.applied)).status == status


@pytest.mark.parametrize(
    ("product", "decision"),
    [
        (snapshot(published_on_online_store=False), delist()),
        (snapshot(status=S.DRAFT), delist(DelistMode.DRAFT)),
        (snapshot(status=S.ARCHIVED), delist(DelistMode.DRAFT)),
    ],
)
def test_already_hidden_products_are_not_touched_and_not_restored(product, decision):
    plan, after = apply(product, decision)
    assert plan.is_empty and plan.applied.is_empty()
    assert plan_restore(after, plan.applied).is_empty


def test_presale_to_delist_takes_presale_off_in_one_plan():
    first, on_presale = apply(snapshot(), presale())
    plan, delisted = apply(on_presale, delist(), first.applied)
    assert kinds(plan) == [Unpublish, SetVariantPolicies, SetTitle, RemoveTags, DeleteMetafield]
    assert delisted == replace(snapshot(), published_on_online_store=False)
    assert plan.applied == AppliedChanges(unpublished=True)
    assert simulate(delisted, plan_restore(delisted, plan.applied)) == snapshot()


def test_delist_back_to_presale_republishes_last():
    first, delisted = apply(snapshot(), delist())
    plan, on_presale = apply(delisted, presale(), first.applied)
    assert kinds(plan)[-1] == Publish
    assert on_presale.published_on_online_store


def test_changing_delist_mode_undoes_the_old_mode():
    first, unpublished = apply(snapshot(), delist())
    plan, drafted = apply(unpublished, delist(DelistMode.DRAFT), first.applied)
    assert kinds(plan) == [SetStatus, Publish]
    assert (drafted.status, drafted.published_on_online_store) == (S.DRAFT, True)


def test_slipped_date_relabels_without_stacking():
    first, labelled = apply(snapshot(), presale(), locale="zh-TW")
    plan, relabelled = apply(labelled, presale(NOV_3), first.applied, locale="zh-TW")
    assert plan.operations == (
        SetTitle("【預購 10/20 出貨】Blue shirt", "【預購 11/3 出貨】Blue shirt"),
        SetMetafield(OCT_20, NOV_3),
    )
    assert plan.applied.ship_by_before is None
    assert simulate(relabelled, plan_restore(relabelled, plan.applied)) == snapshot()


def test_lost_record_does_not_stack_a_second_label():
    _, labelled = apply(snapshot(), presale())
    plan, relabelled = apply(labelled, presale(NOV_3), None)
    assert relabelled.title == "Blue shirt [Pre-order – ships Nov 3]"
    assert plan.applied.original_title == "Blue shirt"


def test_previous_ship_by_value_is_put_back():
    product = snapshot(ship_by=date(2026, 9, 1))
    plan, after = apply(product, presale())
    restore = plan_restore(after, plan.applied)
    assert restore.operations[-1] == SetMetafield(OCT_20, date(2026, 9, 1))
    assert simulate(after, restore) == product


@pytest.mark.parametrize(
    ("edit", "expected_title"),
    [
        ("Blue shirt XL [Pre-order – ships Oct 20]", "Blue shirt XL"),
        ("Blue shirt XL", "Blue shirt XL"),
        ("Blue shirt [Pre-order – ships Oct 20] (limited)", "Blue shirt [Pre-order – ships Oct 20] (limited)"),
    ],
)
def test_restore_keeps_the_merchants_title_edit_minus_our_label(edit, expected_title):
    plan, after = apply(snapshot(), presale())
    restored = simulate(replace(after, title=edit), plan_restore(replace(after, title=edit), plan.applied))
    assert restored.title == expected_title


def test_restore_keeps_every_merchant_change_made_in_between():
    plan, after = apply(snapshot(), presale())
    edited = replace(
        after,
        tags=frozenset({"winter"}),
        variants={**after.variants, "v1": VariantState(P.DENY)},
        ship_by=None,
    )
    restore = plan_restore(edited, plan.applied)
    assert kinds(restore) == [SetVariantPolicies, SetTitle]
    assert restore.operations[0] == SetVariantPolicies((VariantPolicyChange("v2", P.CONTINUE, P.DENY),))
    assert simulate(edited, restore) == replace(snapshot(), tags=frozenset({"winter"}))


def test_restore_does_not_republish_what_the_merchant_republished_or_redraft():
    plan, after = apply(snapshot(), delist())
    assert plan_restore(replace(after, published_on_online_store=True), plan.applied).is_empty
    plan, after = apply(snapshot(), delist(DelistMode.DRAFT))
    assert plan_restore(replace(after, status=S.ARCHIVED), plan.applied).is_empty


@pytest.mark.parametrize("action", [A.NONE, A.WAIT_GRACE, A.LEAVE_ALONE])
def test_decisions_that_hold_still_plan_nothing(action):
    first, labelled = apply(snapshot(), presale())
    plan = plan_apply(labelled, CatalogueDecision(action, R.MERCHANT_OVERRIDE), first.applied, "en")
    assert plan.is_empty and plan.applied == first.applied


def test_restore_decision_plans_the_restore():
    first, labelled = apply(snapshot(), presale())
    plan = plan_apply(labelled, CatalogueDecision(A.RESTORE, R.BACK_IN_STOCK), first.applied, "en")
    assert plan == plan_restore(labelled, first.applied)


def test_dry_run_is_carried_to_the_plan():
    assert plan_apply(snapshot(), presale(dry_run=True), None, "en").dry_run is True


def test_presale_without_ship_by_is_refused():
    with pytest.raises(ValueError, match="ship-by"):
        plan_apply(snapshot(), presale(ship_by=None), None, "en")


def test_merchant_label_format_is_used():
    _, after = apply(snapshot(), presale(), fmt="PRE {date} | {title}")
    assert after.title == "PRE Oct 20 | Blue shirt"


def test_applied_changes_survive_json():
    plan, _ = apply(snapshot(status=S.UNLISTED, ship_by=date(2026, 1, 2)), presale())
    stored = json.loads(json.dumps(plan.applied.to_json()))
    assert AppliedChanges.from_json(stored) == plan.applied
    assert AppliedChanges.from_json(json.dumps(stored)) == plan.applied
    assert AppliedChanges.from_json(None) == AppliedChanges()
    drafted = AppliedChanges(drafted_from=S.UNLISTED, unpublished=True)
    assert AppliedChanges.from_json(drafted.to_json()) == drafted


def test_operations_have_json_history():
    first, labelled = apply(snapshot(), presale())
    plan, _ = apply(labelled, delist(DelistMode.DRAFT), first.applied)
    history = [op.history() for op in plan.operations]
    json.dumps(history)
    assert history[0] == {"field": "status", "before": "ACTIVE", "after": "DRAFT"}
    assert history[1] == {
        "field": "variants",
        "before": {"v1": "CONTINUE", "v2": "CONTINUE"},
        "after": {"v1": "DENY", "v2": "DENY"},
    }
    assert {"field": "ship_by", "before": "2026-10-20", "after": None} in history


# Property tests: random products, decisions and merchant edits.

VARIANT_IDS = ("v1", "v2", "v3")
text = st.text(alphabet="abcXYZ 蓝色衬衫-()0123456789", max_size=20)
tag_pool = st.sampled_from(["summer", "sale", "new", PRESALE_TAG, "Stockout-Presale"])
some_dates = st.one_of(st.none(), st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))


@st.composite
def snapshots(draw):
    variants = {
        vid: VariantState(draw(st.sampled_from(list(P))), draw(st.booleans()))
        for vid in draw(st.lists(st.sampled_from(VARIANT_IDS), unique=True, max_size=3))
    }
    return ProductSnapshot(
        "p", draw(text), draw(st.sampled_from(list(S))), draw(st.frozensets(tag_pool)), draw(st.booleans()),
        variants, draw(some_dates),
    )


@st.composite
def decisions(draw):
    action = draw(st.sampled_from([A.PRESALE, A.KEEP_SELLING, A.DELIST, A.RESTORE]))
    variant_ids = tuple(draw(st.lists(st.sampled_from(VARIANT_IDS), unique=True)))
    ship_by = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
    return CatalogueDecision(
        action, R.IN_STOCK, draw(st.sampled_from(list(Scope))), variant_ids,
        ship_by if action in (A.PRESALE, A.KEEP_SELLING) else None, None,
        draw(st.sampled_from(list(DelistMode))) if action == A.DELIST else None,
    )


locales = st.sampled_from(["en", "zh-CN", "zh-TW"])


@settings(max_examples=150)
@given(snapshots(), st.lists(decisions(), min_size=1, max_size=3), locales)
def test_any_sequence_of_decisions_is_idempotent_and_restores_exactly(product, sequence, locale):
    current, applied = product, None
    for decision in sequence:
        plan = plan_apply(current, decision, applied, locale)
        current, applied = simulate(current, plan), plan.applied
        assert plan_apply(current, decision, applied, locale).is_empty
    restore = plan_restore(current, applied)
    assert simulate(current, restore) == product
    assert restore.applied.is_empty()


@st.composite
def merchant_edits(draw, product):
    """The product after the merchant changed some things by hand, and the title they meant to keep."""
    edited, kept_title = product, None
    choice = draw(st.sampled_from(["keep", "rebase", "replace"]))
    if choice != "keep":
        kept_title = draw(text)
        edited = replace(edited, title=kept_title if choice == "replace" else None)
    if draw(st.booleans()):
        edited = replace(edited, tags=draw(st.frozensets(tag_pool)))
    if draw(st.booleans()):
        edited = replace(edited, status=draw(st.sampled_from(list(S))))
    if draw(st.booleans()):
        edited = replace(edited, published_on_online_store=not edited.published_on_online_store)
    if draw(st.booleans()):
        edited = replace(edited, ship_by=draw(some_dates))
    for vid in draw(st.lists(st.sampled_from(sorted(edited.variants) or ["none"]), unique=True)):
        if vid in edited.variants:
            state = edited.variants[vid]
            policy = draw(st.sampled_from(list(P)))
            edited = replace(edited, variants={**edited.variants, vid: replace(state, inventory_policy=policy)})
    return edited, choice, kept_title


@settings(max_examples=200)
@given(snapshots(), decisions(), locales, st.data())
def test_restore_keeps_merchant_edits_and_undoes_only_the_app(product, decision, locale, data):
    plan = plan_apply(product, decision, None, locale)
    switched = simulate(product, plan)
    edited, choice, kept_title = data.draw(merchant_edits(switched))
    if choice == "rebase":
        label = plan.applied.label
        edited = replace(edited, title=label.apply(kept_title) if label else kept_title)
    restored = simulate(edited, plan_restore(edited, plan.applied))

    def expect(before, after_app, after_merchant):
        return after_merchant if after_merchant != after_app else before

    if edited.title == switched.title:
        assert restored.title == product.title
    else:
        assert restored.title == kept_title
    for name in ("status", "published_on_online_store", "ship_by"):
        assert getattr(restored, name) == expect(getattr(product, name), getattr(switched, name), getattr(edited, name))
    for vid in product.variants:
        policies = [snap.variants[vid].inventory_policy for snap in (product, switched, edited, restored)]
        assert policies[3] == expect(*policies[:3])
    for tag in product.tags | switched.tags | edited.tags:
        memberships = [tag in snap.tags for snap in (product, switched, edited, restored)]
        assert memberships[3] == expect(*memberships[:3])
