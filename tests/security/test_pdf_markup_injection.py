"""Markup injection in official PDFs: user text is printed as typed, never read as ReportLab markup.

A workshop title, a trainer's name, a rejection reason, an adjustment's reason, a partner's name,
address and bank holder, a campaign's name, a beneficiary's name and address, a reception point:
each gets markup that ReportLab would interpret (a font change forging text, an image read from
the server's disk, a link, an unclosed tag), `&`, quotes and braces. Each PDF is fetched through
its real route and read back: the text is there as typed, and no image or link was embedded.
"""
import io
import os
import tempfile
from datetime import timedelta

import pypdf
import pytest
import sqlalchemy as sa
from PIL import Image

from partner_site.domain import claims as claim_ops
from partner_site.domain import adjustments, payments, review
from partner_site.domain.bank import current_account
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import Claim, ClaimLine

from ..bo_helpers import assigned_request, point
from ..claims_world import campaign_for_last_month, make_world, validations

# Non-Latin text rides along in every field: it must not break a PDF. (Whether its glyphs show
# depends on the fonts a PDF embeds; the literal check below is on the rest of the text.)
NON_LATIN = " Ωμέγα Алёна"


@pytest.fixture
def server_image():
    """An image file on the server's disk (a short path: fields hold 200 characters), which an <img>
    tag would embed if markup were read."""
    fd, path = tempfile.mkstemp(suffix=".png", dir="/tmp")
    os.close(fd)
    Image.new("RGB", (40, 40), "red").save(path)
    yield path
    os.unlink(path)


def markup(tag: str, image: str) -> str:
    """Text that ReportLab would read as markup: forged big text, an image from disk, a link, a lone tag."""
    return (f'{tag}{{serial}}{{0}}<font size="40" color="red">FORGED</font><img src="{image}" width="50" '
            f'height="50"/><a href="https://evil.example/">link</a><b>open & "q" \'s\'')


def short_markup(tag: str) -> str:
    """Markup that fits a postal address line (38 characters)."""
    return f'{tag}<b>&"\'{{0}}<img src="/x.png"/>'


def _text(pdf: bytes) -> str:
    """Return the PDF's text without whitespace (cells and lines wrap anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def _assert_literal(pdf: bytes, expected: dict[str, str]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = _text(pdf)
    missing = [field for field, value in expected.items() if "".join(value.split()) not in text]
    assert missing == [], f"not printed as typed: {missing}"
    for page in reader.pages:
        assert list(page.images) == [], "an image was embedded from the server's disk"
        assert "/Annots" not in page, "a link was embedded"


def _get_pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/pdf"
    return response.get_data()


def test_statement_pdf_prints_every_user_field_as_typed(factory, login, server_image):
    world = make_world(factory)
    campaign = campaign_for_last_month(factory)
    fields = {name: markup(name.upper() + ":", server_image) for name in
              ("title", "trainer", "reason", "partner", "address", "holder", "adjustment")}
    world.workshop.title = fields["title"] + NON_LATIN
    world.trainer.full_name = fields["trainer"] + NON_LATIN
    world.partner.name = fields["partner"] + NON_LATIN
    world.partner.address = fields["address"] + NON_LATIN
    db.session.commit()
    validations(factory, world, campaign, 3)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    account = current_account(world.partner.id)
    account.holder_name = fields["holder"][:140]
    fields["holder"] = account.holder_name
    claim_ops.submit(world.manager, claim.id)
    first = db.session.execute(sa.select(ClaimLine).where(ClaimLine.claim_id == claim.id)
                               .order_by(ClaimLine.id)).scalars().first()
    review.reject_lines(world.instructor, claim.id, [first.id], fields["reason"] + NON_LATIN)
    review.approve(world.instructor, claim.id)
    batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    payments.execute_batch(world.finance, batch.id, local_today(), "VIR-1")
    adjustments.correct_paid_claim(world.instructor, claim.id, -500, fields["adjustment"] + NON_LATIN)
    db.session.commit()
    current = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id,
                                                        Claim.id != claim.id)).scalar_one()

    paid = {k: v for k, v in fields.items() if k != "adjustment"}
    _assert_literal(_get_pdf(login(world.manager), f"/claims/{claim.id}/statement.pdf"), paid)
    _assert_literal(_get_pdf(login(world.instructor), f"/staff/claims/{claim.id}/statement.pdf"), paid)
    _assert_literal(_get_pdf(login(world.manager), f"/claims/{current.id}/statement.pdf"),
                    {"adjustment": fields["adjustment"], "partner": fields["partner"]})


def test_letters_flyers_and_booklet_sheets_print_every_user_field_as_typed(factory, login, server_image):
    world = make_world(factory)  # an accredited partner in the beneficiary's commune: on the flyer
    where = point(name=markup("POINT:", server_image) + NON_LATIN)
    where.address = markup("POINTADDR:", server_image)
    partner = world.partner
    partner.name = markup("PARTNER:", server_image)
    partner.address = markup("PADDR:", server_image)
    partner.contact_name = markup("CONTACT:", server_image)
    partner.contact_phone = "+33 <b>1</b> & \"2\""
    campaign = factory.campaign(name=markup("CAMPAIGN:", server_image)[:190] + NON_LATIN)
    # Civility, first and last name share one 38-character address line.
    identity = {"first_name": "F<b>&'{0}", "last_name": 'l<i>"{x}',
                "address_recipient": short_markup("AR:"), "address_street": short_markup("AS:")}
    request = assigned_request(factory, world.instructor, where, campaign, **identity)
    db.session.commit()
    instructor = login(world.instructor)

    letter = _get_pdf(instructor, f"/bo/requests/{request.id}/letter.pdf")
    expected = {"point": markup("POINT:", server_image), "partner": partner.name, "paddr": partner.address,
                "contact": partner.contact_name, "phone": partner.contact_phone,
                "name": f"Madame {identity['first_name']} {identity['last_name'].upper()}",
                "recipient": identity["address_recipient"], "street": identity["address_street"]}
    _assert_literal(letter, expected)
    _assert_literal(_get_pdf(instructor, "/bo/requests/mailing.pdf"), expected)
    sheets = _get_pdf(instructor, f"/bo/campaigns/{campaign.id}/booklets.pdf")
    _assert_literal(sheets, {"campaign": markup("CAMPAIGN:", server_image)[:60]})
