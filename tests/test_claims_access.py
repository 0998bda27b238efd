"""Who may see and do what with claims: one test per object rule and per role boundary."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import claims as claim_ops
from partner_site.domain import payments, review
from partner_site.domain.clock import local_today
from partner_site.domain.errors import DomainError
from partner_site.extensions import db
from partner_site.models import Claim, ClaimStatus, Role

from .claims_world import campaign_for_last_month, make_world, validations


@pytest.fixture
def two_partners(factory):
    campaign = campaign_for_last_month(factory)
    a = make_world(factory, 0)
    b = make_world(factory, 1, instructor=a.instructor, finance=a.finance)
    validations(factory, a, campaign, 1)
    validations(factory, b, campaign, 2)
    claim_of = {w.partner.id: db.session.execute(sa.select(Claim).where(Claim.partner_id == w.partner.id)
                                                 ).scalar_one() for w in (a, b)}
    return a, b, claim_of[a.partner.id], claim_of[b.partner.id]


def test_an_association_cannot_see_or_submit_another_associations_claim(two_partners, login):
    a, b, claim_a, claim_b = two_partners
    manager_a = login(a.manager)
    for url in (f"/claims/{claim_b.id}", f"/claims/{claim_b.id}/statement.pdf", f"/claims/{claim_b.id}/statement.csv"):
        assert manager_a.get(url).status_code == 404, url
    assert manager_a.form(f"/claims/{claim_b.id}/submit").status_code == 404
    db.session.expire_all()
    assert db.session.get(Claim, claim_b.id).status == ClaimStatus.OPEN
    api = manager_a.get(f"/api/v1/claims/{claim_b.id}")
    assert api.status_code == 404 and api.get_json()["reason"] == "not_found"
    assert [c["id"] for c in manager_a.get("/api/v1/claims").get_json()["claims"]] == [claim_a.id]
    assert b.partner.name not in manager_a.get("/claims/").get_data(as_text=True)


def test_a_trainer_sees_neither_claims_nor_bank_details(two_partners, login):
    a, _b, claim_a, _claim_b = two_partners
    trainer = login(a.trainer)
    for url in ("/claims/", f"/claims/{claim_a.id}", f"/claims/{claim_a.id}/statement.pdf", "/claims/bank",
                "/staff/claims/", f"/staff/claims/{claim_a.id}", "/finance/", "/finance/bank-accounts"):
        assert trainer.get(url).status_code == 403, url
    assert trainer.form(f"/claims/{claim_a.id}/submit").status_code == 403
    assert trainer.form("/claims/bank", {"iban": "FR7630006000011234567890189"}).status_code == 403
    response = trainer.get("/api/v1/claims")
    assert response.status_code == 403 and response.get_json()["reason"] == "forbidden"
    assert trainer.get(f"/api/v1/claims/{claim_a.id}").status_code == 403
    home = trainer.get("/").get_data(as_text=True)
    assert "Remboursements" not in home and "Coordonnées bancaires" not in home


def test_partner_people_get_nothing_from_staff_pages(two_partners, login):
    a, _b, claim_a, _claim_b = two_partners
    manager = login(a.manager)
    for url in ("/staff/claims/", f"/staff/claims/{claim_a.id}", f"/staff/claims/{claim_a.id}/statement.pdf",
                "/staff/claims/outbox", "/finance/", "/finance/bank-accounts"):
        assert manager.get(url).status_code == 403, url
    assert manager.form(f"/staff/claims/{claim_a.id}/approve").status_code == 403


def test_staff_see_claims_but_not_the_association_pages(two_partners, login):
    a, _b, claim_a, _claim_b = two_partners
    for user in (a.instructor, a.finance):
        client = login(user)
        assert client.get(f"/staff/claims/{claim_a.id}").status_code == 200
        assert client.get("/claims/").status_code == 403
        assert client.get("/api/v1/claims").status_code == 403


def _submitted(world, claim):
    claim_ops.submit(world.manager, claim.id)
    db.session.commit()
    return claim


def test_instructor_and_finance_rights_are_separate(two_partners, login):
    a, _b, claim_a, _claim_b = two_partners
    _submitted(a, claim_a)
    finance, instructor = login(a.finance), login(a.instructor)
    assert finance.form(f"/staff/claims/{claim_a.id}/approve").status_code == 403
    assert finance.form(f"/staff/claims/{claim_a.id}/reject", {"lines": ["1"], "reason": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Claim, claim_a.id).status == ClaimStatus.SUBMITTED
    assert instructor.form(f"/staff/claims/{claim_a.id}/approve", {"confirmed": "1"}).status_code == 302
    for url in ("/finance/", "/finance/bank-accounts"):
        assert instructor.get(url).status_code == 403
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = instructor.form("/finance/batches", {"claims": [str(claim_a.id)], "requested_on": tomorrow})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Claim, claim_a.id).status == ClaimStatus.APPROVED


def test_whoever_approved_a_claim_cannot_pay_it_even_after_changing_role(two_partners):
    a, _b, claim_a, _claim_b = two_partners
    _submitted(a, claim_a)
    review.approve(a.instructor, claim_a.id)
    db.session.commit()
    a.instructor.role = Role.FINANCE  # the same person moves to the payment desk
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        payments.build_batch(a.instructor, [claim_a.id], local_today() + timedelta(days=1))
    assert refused.value.reason == "forbidden" and claim_a.reference in refused.value.message
    db.session.rollback()
    # And the database itself refuses it, whatever the code path.
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Claim).where(Claim.id == claim_a.id).values(
            status=ClaimStatus.PAID, paid_at=sa.func.now(), paid_by_id=a.instructor.id))
        db.session.flush()
    db.session.rollback()


def test_a_post_without_its_csrf_token_changes_nothing(two_partners, login):
    a, _b, claim_a, _claim_b = two_partners
    manager = login(a.manager)
    response = manager.client.post(f"/claims/{claim_a.id}/submit")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Claim, claim_a.id).status == ClaimStatus.OPEN


def test_anonymous_people_are_sent_to_log_in(two_partners, client):
    _a, _b, claim_a, _claim_b = two_partners
    assert client.get("/claims/").status_code == 302
    assert client.get("/staff/claims/").status_code == 302
    assert client.get("/api/v1/claims").status_code == 401
