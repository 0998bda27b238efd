"""The statement (bordereau): a PDF read back page by page, and a CSV a spreadsheet opens as is."""
import csv
import io
import shutil
import subprocess

import pypdf
import pytest
import sqlalchemy as sa

from partner_site.domain import claims as claim_ops
from partner_site.domain import review
from partner_site.domain.statements import statement_csv, statement_pdf
from partner_site.extensions import db
from partner_site.models import Claim, ClaimLine

from .claims_world import campaign_for_last_month, make_world, validations
from .helpers import pdf_fonts


@pytest.fixture
def long_claim(factory):
    world = make_world(factory)
    campaign = campaign_for_last_month(factory)
    world.workshop.capacity = 100
    db.session.commit()
    done = validations(factory, world, campaign, 70)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    claim_ops.submit(world.manager, claim.id)
    line = db.session.execute(sa.select(ClaimLine).where(ClaimLine.redemption_id == done[5].id)).scalar_one()
    review.reject_lines(world.instructor, claim.id, [line.id], "Bénéficiaire déjà venu à l'atelier précédent")
    db.session.commit()
    return world, claim, done


def test_a_long_statement_spans_pages_and_ends_with_the_claims_total(long_claim):
    world, claim, done = long_claim
    reader = pypdf.PdfReader(io.BytesIO(statement_pdf(claim)))
    assert len(reader.pages) >= 2
    pages = [page.extract_text().replace("\xa0", " ") for page in reader.pages]
    assert all("Ticket" in text and "Montant" in text for text in pages)  # the header repeats
    text = " ".join(" ".join(pages).split())  # table cells wrap: compare words, not lines
    assert "Total de la demande : 690,00 €" in text
    assert "69 ticket(s) accepté(s) pour 690,00 € ; 1 refusé(s)." in text
    assert "Refusé : Bénéficiaire déjà venu" in text
    assert reader.metadata.author == "Département de la Haute-Garonne"
    assert reader.metadata.title == f"Bordereau {claim.reference}"


def test_the_statement_renders_to_an_image(long_claim, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    _world, claim, _done = long_claim
    path = tmp_path / "statement.pdf"
    path.write_bytes(statement_pdf(claim))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    image = next(tmp_path.glob("page*.png"))
    assert image.stat().st_size > 5000
    fonts = pdf_fonts(path.read_bytes(), tmp_path)
    assert fonts and all(f["embedded"] and f["subset"] for f in fonts), fonts
    assert {f["name"].split("+")[1] for f in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}


def test_the_csv_statement_has_every_line_and_the_total(long_claim):
    _world, claim, done = long_claim
    text = statement_csv(claim)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))
    lines, total = rows[:-1], rows[-1]
    assert len(lines) == 70 and total["type"] == "total" and total["montant_centimes"] == "69000"
    assert sum(int(r["montant_centimes"]) for r in lines if r["statut"] == "accepted") == 69000
    assert [r["motif_refus"] for r in lines if r["statut"] == "rejected"] == [
        "Bénéficiaire déjà venu à l'atelier précédent"]
