"""The claim statement (bordereau de remise), as PDF and CSV: identity, bank account, lines, total.

The PDF embeds DejaVu Sans (the fonts every printed document embeds) so accents, the euro sign
and other scripts print and extract the same everywhere; it is built as a stream of table rows, so a claim of thousands
of tickets paginates with its header repeated.
"""
import io

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, TableStyle

from .. import csvfile
from ..extensions import db
from ..formatting import money
from ..models import Claim, ClaimStatus, LineKind, LineStatus, Payment
from ..printing.fonts import reportlab_name
from ..printing.text import paragraph
from .bank import current_account
from .claim_views import all_lines
from .clock import to_local
from .identity import format_siret
from .notifications import period_label

STATUS_LABELS = {
    ClaimStatus.OPEN: _l("En cours"),
    ClaimStatus.SUBMITTED: _l("Envoyée, en instruction"),
    ClaimStatus.APPROVED: _l("Approuvée, en attente de paiement"),
    ClaimStatus.IN_BATCH: _l("En cours de paiement"),
    ClaimStatus.PAID: _l("Payée"),
}


def status_label(status: ClaimStatus) -> str:
    return str(STATUS_LABELS[status])


def _fonts() -> tuple[str, str]:
    return reportlab_name("regular"), reportlab_name("bold")


def account_for(claim: Claim):
    """Return the account a claim is (or will be) paid to: its payment's, else the one in force."""
    if claim.batch_id is not None:
        payment = db.session.execute(sa.select(Payment).where(
            Payment.claim_id == claim.id, Payment.cancelled_at.is_(None))).scalar_one_or_none()
        if payment is not None:
            return payment.bank_account
    return current_account(claim.partner_id)


def _line_cells(line) -> list[str]:
    if line.kind == LineKind.ADJUSTMENT:
        status = {LineStatus.PENDING: _("En attente de seconde approbation (non compté)"),
                  LineStatus.REJECTED: _("Refusé (non compté)")}.get(line.status, _("Ajustement"))
        return ["", _("Ajustement"), line.label or "", "", money(line.amount_cents), status]
    day = to_local(line.scanned_at).strftime("%d/%m/%Y %H:%M")
    status = _("Accepté") if line.status == LineStatus.ACCEPTED else _("Refusé : %(reason)s",
                                                                         reason=line.reject_reason)
    return [day, line.serial, line.workshop_title or "", line.trainer or "", money(line.amount_cents), status]


def statement_pdf(claim: Claim) -> bytes:
    """Draw the claim's statement as an A4 PDF."""
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
    title = ParagraphStyle("title", parent=base, fontName=bold, fontSize=15, leading=19, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=base, fontName=bold, fontSize=11, leading=14)
    partner, account = claim.partner, account_for(claim)
    lines = all_lines(claim.id)
    accepted = [line for line in lines if line.kind == LineKind.REDEMPTION and line.status == LineStatus.ACCEPTED]
    rejected = [line for line in lines if line.status == LineStatus.REJECTED]
    department = current_app.config["DEPARTMENT_NAME"]

    story = [
        paragraph(_("Bordereau de remise – Pass numérique"), title),
        paragraph(f"{department} · " + _("Demande de remboursement %(ref)s", ref=claim.reference or _("(non envoyée)")),
                  base),
        Spacer(1, 4 * mm),
        _key_values([
            (_("Structure"), partner.name),
            (_("Adresse"), partner.address or "–"),
            (_("SIRET"), format_siret(partner.siret)),
            (_("Compte bancaire"), f"{account.holder_name} · IBAN {account.masked_iban} · BIC {account.bic}"
             if account else _("aucun compte validé")),
            (_("Période"), period_label(claim.period)),
            (_("Statut"), status_label(claim.status)),
            (_("Envoyée le"), to_local(claim.submitted_at).strftime("%d/%m/%Y") if claim.submitted_at else "–"),
            *_payment_rows(claim),
        ], regular, bold),
        Spacer(1, 4 * mm),
        paragraph(_("%(count)s ticket(s) accepté(s) pour %(amount)s ; %(rejected)s refusé(s).",
                    count=len(accepted), amount=money(sum(line.amount_cents for line in accepted)),
                    rejected=len(rejected)), base),
        Spacer(1, 3 * mm),
    ]
    header = [_("Date"), _("Ticket"), _("Atelier"), _("Formateur"), _("Montant"), _("Statut")]
    rows = [header] + [[paragraph(cell, small) if i in (2, 3, 5) else cell for i, cell in enumerate(_line_cells(line))]
                       for line in lines]
    rows.append(["", "", "", _("Total"), money(claim.total_cents), ""])
    table = LongTable(rows, colWidths=[26 * mm, 24 * mm, 46 * mm, 30 * mm, 22 * mm, 32 * mm], repeatRows=1,
                      hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), regular, 7.5),
        ("FONT", (0, 0), (-1, 0), bold, 7.5),
        ("FONT", (0, -1), (-1, -1), bold, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edff")),
        ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#cccccc")),
        ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
        ("ALIGN", (4, 0), (4, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [table, Spacer(1, 4 * mm),
              paragraph(_("Total de la demande : %(total)s", total=money(claim.total_cents)), heading)]
    out = io.BytesIO()
    footer = _("Pass numérique · %(ref)s · page", ref=claim.reference or "")

    def on_page(canvas, doc):
        canvas.setFont(regular, 7)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{footer} {doc.page}")

    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=_("Bordereau %(ref)s", ref=claim.reference or ""),
                            author=department, initialFontName=regular)  # no Helvetica, even unused
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def _payment_rows(claim: Claim) -> list[tuple[str, str]]:
    if claim.status == ClaimStatus.PAID and claim.batch is not None:
        batch = claim.batch
        return [(_("Payée le"), _("%(day)s, lot %(batch)s", day=batch.executed_on.strftime("%d/%m/%Y"),
                                    batch=batch.reference))]
    if claim.status == ClaimStatus.PAID:
        return [(_("Soldée le"), _("%(day)s, sans virement (montant nul)", day=to_local(claim.paid_at)
                                   .strftime("%d/%m/%Y")))]
    return []


def _key_values(pairs, regular: str, bold: str):
    table = LongTable([[key, value] for key, value in pairs], colWidths=[35 * mm, 145 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (0, -1), bold, 9), ("FONT", (1, 0), (1, -1), regular, 9),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


CSV_HEADER = ["reference", "periode", "structure", "siret", "ligne", "type", "date_validation", "ticket", "atelier",
              "formateur", "montant_centimes", "statut", "motif_refus"]


def statement_csv(claim: Claim) -> str:
    """Write the claim's lines as a CSV (semicolons, UTF-8 with BOM, so spreadsheets open it as is)."""
    partner = claim.partner
    rows = [[claim.reference or "", claim.period.strftime("%Y-%m"), partner.name, partner.siret, line.id,
             line.kind.value, to_local(line.scanned_at).strftime("%Y-%m-%d %H:%M") if line.scanned_at else "",
             line.serial, line.workshop_title or line.label or "", line.trainer or "", line.amount_cents,
             line.status.value, line.reject_reason or ""] for line in all_lines(claim.id)]
    rows.append([claim.reference or "", claim.period.strftime("%Y-%m"), partner.name, partner.siret, "", "total",
                 "", "", "", "", claim.total_cents, "", ""])
    return csvfile.text(CSV_HEADER, rows, delimiter=";")
