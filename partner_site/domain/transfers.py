"""Files for the bank and the accountant: the SEPA credit transfer (pain.001.001.03) and a CSV.

The file's message id is the batch reference: a bank refuses a second file with the same
message id, so uploading a batch twice cannot pay it twice.
"""
from flask import current_app
from flask_babel import gettext as _
from sepaxml import SepaTransfer

from .. import csvfile
from ..models import BankAccountStatus, PaymentBatch
from .errors import DomainError
from .notifications import period_label
from .payments import live_payments

SCHEMA = "pain.001.001.03"


class _BatchTransfer(SepaTransfer):
    """sepaxml's transfer with our batch reference as message id instead of a random one."""

    def __init__(self, config, message_id: str):
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA, clean=True)

    def _create_header(self):
        self.msg_id = self._message_id
        super()._create_header()


def _payments_still_valid(batch: PaymentBatch):
    payments = live_payments(batch)
    stale = [p.claim.reference for p in payments if p.bank_account.status != BankAccountStatus.VALIDATED]
    if stale:
        raise DomainError("bank_details_held", _("Les coordonnées bancaires de %(refs)s ont changé depuis la "
                                                 "création du lot : annulez-le et créez-en un nouveau.",
                                                 refs=", ".join(stale)))
    return payments


def sepa_xml(batch: PaymentBatch) -> bytes:
    """Write the batch as a SEPA credit transfer file, validated against the XSD by sepaxml."""
    config = current_app.config
    payments = _payments_still_valid(batch)
    transfer = _BatchTransfer({"name": config["SEPA_DEBTOR_NAME"], "IBAN": config["SEPA_DEBTOR_IBAN"],
                               "BIC": config["SEPA_DEBTOR_BIC"], "batch": True, "currency": "EUR"},
                              message_id=batch.reference)
    for payment in payments:
        claim, account = payment.claim, payment.bank_account
        transfer.add_payment({
            "name": account.holder_name, "IBAN": account.iban, "BIC": account.bic,
            "amount": payment.amount_cents, "execution_date": batch.requested_on,
            "description": f"Pass numerique {claim.reference} {period_label(claim.period)}",
            "endtoend_id": payment.end_to_end_id,
        })
    return transfer.export(validate=True)


CSV_HEADER = ["lot", "demande", "periode", "structure", "siret", "titulaire", "iban", "bic", "montant_euros",
              "montant_centimes"]


def batch_csv(batch: PaymentBatch) -> str:
    """Write the batch's payments as a CSV for the accountant (semicolons, decimal commas, UTF-8 BOM)."""
    rows = []
    for payment in live_payments(batch):
        claim, account = payment.claim, payment.bank_account
        euros, cents = divmod(payment.amount_cents, 100)
        rows.append([batch.reference, claim.reference, claim.period.strftime("%Y-%m"), payment.partner.name,
                     account.siret, account.holder_name, account.iban, account.bic, f"{euros},{cents:02d}",
                     payment.amount_cents])
    return csvfile.text(CSV_HEADER, rows, delimiter=";")
