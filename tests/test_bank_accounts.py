"""Bank details: validated numbers, a change holds payments until finance staff check it."""
import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import bank, payments, review
from partner_site.domain import claims as claim_ops
from partner_site.domain.clock import local_today
from partner_site.domain.errors import DomainError
from partner_site.extensions import db
from partner_site.models import BankAccount, BankAccountStatus, Claim, Partner, Payment

from .claims_world import BIC, IBAN, SIRETS, campaign_for_last_month, make_world, validations

NEW_IBAN = "FR1420041010050500013M02606"
NEW_BIC = "PSSTFRPPPAR"


def test_the_manager_enters_bank_details_and_they_wait_for_finance(factory, login):
    world = make_world(factory, with_account=False)
    manager = login(world.manager)
    page = manager.get("/claims/bank").get_data(as_text=True)
    assert "443 061 841 00047" in page and "Aucun compte validé" in page
    response = manager.form("/claims/bank", {"holder_name": "Asso Cagire", "iban": "fr76 3000 6000 0112 3456 7890 189",
                                             "bic": "agrifrpp", "siret": "443 061 841 00047"})
    assert response.status_code == 302
    account = db.session.execute(sa.select(BankAccount)).scalar_one()
    assert (account.iban, account.bic, account.status) == (IBAN, BIC, BankAccountStatus.PENDING)
    assert "attendent la vérification du Département" in manager.get("/claims/").get_data(as_text=True)
    finance = login(world.finance)
    listing = finance.get("/finance/bank-accounts").get_data(as_text=True)
    assert "FR76 3000 6000 0112 3456 7890 189" in listing and "première saisie" in listing
    assert finance.form(f"/finance/bank-accounts/{account.id}/validate").status_code == 302
    db.session.expire_all()
    assert db.session.get(BankAccount, account.id).status == BankAccountStatus.VALIDATED


@pytest.mark.parametrize("field, value, message", [
    ("iban", "FR7630006000011234567890188", "IBAN invalide"),
    ("iban", "not an iban", "IBAN invalide"),
    ("bic", "AGRI", "BIC invalide"),
    ("bic", "DEUTDEFF", "ne correspond pas au pays"),
    ("siret", "44306184100048", "SIRET invalide"),
    ("siret", SIRETS[1], "déjà celui d'une autre structure"),
])
def test_bad_bank_details_are_refused_with_a_french_message_and_nothing_is_saved(factory, login, field, value,
                                                                                message):
    world = make_world(factory, with_account=False)
    factory.partner(siret=SIRETS[1])
    data = {"holder_name": "Asso", "iban": IBAN, "bic": BIC, "siret": SIRETS[0], field: value}
    response = login(world.manager).form("/claims/bank", data)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.session.execute(sa.select(sa.func.count()).select_from(BankAccount)).scalar_one() == 0


def _approved_claim(factory, world):
    validations(factory, world, campaign_for_last_month(factory), 2)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    claim_ops.submit(world.manager, claim.id)
    review.approve(world.instructor, claim.id)
    db.session.commit()
    return claim


def test_a_change_of_iban_holds_payments_until_validated_and_the_payment_records_the_account(factory, login):
    world = make_world(factory)
    claim = _approved_claim(factory, world)
    old = bank.current_account(world.partner.id)
    # Someone changes the IBAN (the classic fraud): the claim is held back from any batch.
    bank.submit_details(world.manager, world.partner, holder_name="Asso", iban=NEW_IBAN, bic=NEW_BIC,
                        siret=world.partner.siret)
    db.session.commit()
    assert [c.id for c in payments.payable_claims()] == []
    assert [(c.id, str(why)) for c, why in payments.held_claims()] == [
        (claim.id, "Nouvelles coordonnées bancaires à valider")]
    with pytest.raises(DomainError) as refused:
        payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    assert refused.value.reason == "bank_details_held"
    db.session.rollback()
    page = login(world.finance).get("/finance/").get_data(as_text=True)
    assert "Paiements suspendus" in page and "Nouvelles coordonnées bancaires à valider" in page

    # Finance rejects it: the old account stays in force and payments resume to it.
    pending = bank.pending_account(world.partner.id)
    bank.reject(world.finance, pending, "Changement non confirmé par téléphone")
    db.session.commit()
    batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    db.session.commit()
    payment = db.session.execute(sa.select(Payment).where(Payment.batch_id == batch.id)).scalar_one()
    assert payment.bank_account_id == old.id
    statuses = [a.status for a in bank.history(world.partner.id)]
    assert statuses == [BankAccountStatus.REJECTED, BankAccountStatus.VALIDATED]


def test_validating_new_details_supersedes_the_old_ones_and_can_change_the_siret(factory):
    world = make_world(factory)
    old = bank.current_account(world.partner.id)
    new_siret = SIRETS[4]
    account = bank.submit_details(world.manager, world.partner, holder_name="Asso", iban=NEW_IBAN, bic=NEW_BIC,
                                  siret=new_siret)
    bank.validate(world.finance, account)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(BankAccount, old.id).status == BankAccountStatus.SUPERSEDED
    assert bank.current_account(world.partner.id).iban == NEW_IBAN
    assert db.session.get(Partner, world.partner.id).siret == new_siret


def test_the_database_allows_one_account_in_force_per_partner(factory):
    world = make_world(factory)
    db.session.add(BankAccount(partner_id=world.partner.id, holder_name="x", iban=NEW_IBAN, bic=NEW_BIC,
                               siret=world.partner.siret, status=BankAccountStatus.VALIDATED))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_second_change_before_review_replaces_the_first(factory):
    world = make_world(factory, with_account=False)
    first = bank.submit_details(world.manager, world.partner, holder_name="A", iban=IBAN, bic=BIC,
                                siret=world.partner.siret)
    second = bank.submit_details(world.manager, world.partner, holder_name="B", iban=NEW_IBAN, bic=NEW_BIC,
                                 siret=world.partner.siret)
    db.session.commit()
    assert first.status == BankAccountStatus.SUPERSEDED
    assert bank.pending_account(world.partner.id).id == second.id
