from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import finance_required
from ..claims.actions import form_errors, run
from ..claims.downloads import file_response
from ..domain import bank, payments, transfers
from ..domain.clock import local_today
from ..models import BatchStatus
from . import bp
from .forms import BuildBatchForm, CancelBatchForm, ExecuteBatchForm, RejectAccountForm, ValidateAccountForm


@bp.get("/")
@finance_required
def index():
    """Show the approved claims ready to pay, those held back and why, and the batches."""
    form = BuildBatchForm()
    form.requested_on.data = local_today() + timedelta(days=2)
    payable = payments.payable_claims()
    return render_template("finance/index.html", form=form, payable=payable, held=payments.held_claims(),
                           batches=payments.batches(), payable_total=sum(c.total_cents for c in payable),
                           pending_accounts=len(bank.pending_review()))


@bp.post("/batches")
@finance_required
def build():
    """Put the ticked approved claims into a new payment batch."""
    form = BuildBatchForm()
    if not form.validate_on_submit():
        form_errors(form)
        return redirect(url_for("finance.index"))
    return run(lambda: payments.build_batch(current_user, form.claims.data, form.requested_on.data),
               _("Lot de paiement créé : téléchargez le fichier SEPA et transmettez-le à la banque."),
               lambda batch: url_for("finance.batch", batch_id=batch.id), failure_to=url_for("finance.index"))


@bp.get("/batches/<int:batch_id>")
@finance_required
def batch(batch_id: int):
    """Show a batch: its payments, the accounts they go to, its files and its execution."""
    batch = payments.get_batch(batch_id)
    form = ExecuteBatchForm()
    form.executed_on.data = local_today()
    return render_template("finance/batch.html", batch=batch, payments=payments.live_payments(batch),
                           form=form, cancel_form=CancelBatchForm())


@bp.get("/batches/<int:batch_id>/sepa.xml")
@finance_required
def sepa(batch_id: int):
    """Download the batch's SEPA credit transfer file (pain.001.001.03)."""
    batch = payments.get_batch(batch_id)
    if batch.status == BatchStatus.CANCELLED:
        abort(404)
    return file_response(transfers.sepa_xml(batch), "application/xml", f"{batch.reference}.xml")


@bp.get("/batches/<int:batch_id>/payments.csv")
@finance_required
def batch_csv(batch_id: int):
    """Download the batch's payments as CSV for the accountant."""
    batch = payments.get_batch(batch_id)
    return file_response(transfers.batch_csv(batch), "text/csv; charset=utf-8", f"{batch.reference}.csv")


@bp.post("/batches/<int:batch_id>/execute")
@finance_required
def execute(batch_id: int):
    """Record the batch as executed by the bank, once confirmed: its claims become paid and final."""
    batch = payments.get_batch(batch_id)  # 404 for a batch that does not exist
    form = ExecuteBatchForm()
    back = url_for("finance.batch", batch_id=batch_id)
    if not form.validate_on_submit():
        form_errors(form)
        return redirect(back)
    if not form.is_confirmed:
        return _confirm_execution(batch, form, back)
    return run(lambda: payments.execute_batch(current_user, batch_id, form.executed_on.data, form.bank_reference.data),
               _("Lot enregistré comme exécuté : les demandes sont payées et les associations prévenues."), back,
               notify=True)


def _confirm_execution(batch, form, back: str):
    """Restate the payment (claims, total, dates, bank reference), warning when it is early; change nothing."""
    if batch.status != BatchStatus.DRAFT:
        flash(_("Ce lot a déjà été exécuté ou annulé."), "error")
        return redirect(back)
    return render_template("finance/confirm_execute.html", batch=batch, form=form.ask_confirmation(),
                           early=local_today() < batch.requested_on)


@bp.post("/batches/<int:batch_id>/cancel")
@finance_required
def cancel(batch_id: int):
    """Cancel a batch not yet executed; its claims can go into another batch."""
    payments.get_batch(batch_id)
    if not CancelBatchForm().validate_on_submit():
        abort(400)
    return run(lambda: payments.cancel_batch(current_user, batch_id),
               _("Lot annulé : ses demandes sont de nouveau à payer."), url_for("finance.batch", batch_id=batch_id))


@bp.get("/bank-accounts")
@finance_required
def accounts():
    """List the bank details waiting for a check, with what they replace."""
    pending = bank.pending_review()
    current = {a.partner_id: bank.current_account(a.partner_id) for a in pending}
    return render_template("finance/accounts.html", pending=pending, current=current,
                           validate_form=ValidateAccountForm(), reject_form=RejectAccountForm())


@bp.post("/bank-accounts/<int:account_id>/validate")
@finance_required
def validate_account(account_id: int):
    """Accept bank details checked against the bank's document; held payments resume."""
    if not ValidateAccountForm().validate_on_submit():
        abort(400)
    return run(lambda: bank.validate(current_user, bank.get_pending(account_id)),
               _("Coordonnées bancaires validées : les paiements de cette structure reprennent."),
               url_for("finance.accounts"))


@bp.post("/bank-accounts/<int:account_id>/reject")
@finance_required
def reject_account(account_id: int):
    """Refuse bank details (wrong or suspicious); the account in force stays."""
    form = RejectAccountForm()
    if not form.validate_on_submit():
        form_errors(form)
        return redirect(url_for("finance.accounts"))
    return run(lambda: bank.reject(current_user, bank.get_pending(account_id), form.reason.data),
               _("Coordonnées bancaires refusées."), url_for("finance.accounts"))
