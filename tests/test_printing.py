"""The print shop's PDF read back as a person and a machine would: rendered, decoded, redeemed."""
import io
import shutil
import subprocess
import tracemalloc

import pytest
from pypdf import PdfReader

from partner_site.domain import beneficiaries as requests_ops
from partner_site.domain.clock import local_today
from partner_site.domain.codes import booklet_serial, format_check_code, format_serial, ticket_serial
from partner_site.extensions import db
from partner_site.models import Booklet, Role
from partner_site.printing import letters, sheets

from .bo_helpers import assigned_request, instructor, point, request_at
from .helpers import check_code_of, code_of, pdf_fonts

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


def _render(pdf_path, tmp_path, dpi=150):
    """Render the first page of a PDF to a grey PNG with pdftoppm; return the image."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-png", str(pdf_path),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    return Image.open(png)


def _decode(image):
    import zxingcpp

    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def test_every_qr_on_a_printed_sheet_decodes_to_its_ticket_and_is_accepted_once_handed_out(
        app, factory, runner, login, tmp_path):
    campaign = factory.campaign(name="Pass numérique Haute-Garonne 2021")
    where = point()
    booklet = factory.booklet(campaign, distributed=False)
    booklet.reception_point_id = where.id
    db.session.commit()
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(args=["booklets", "print", "--campaign", str(campaign.id), "--booklet", booklet.serial,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output

    found = _decode(_render(out, tmp_path))
    tickets = {code_of(t): t for t in booklet.tickets}
    assert len(found) == 10
    assert {f.text for f in found} == set(tickets)
    for f in found:
        assert f.extra["ECLevel"] == "M" and int(f.extra["Version"]) <= 6

    partner = factory.partner()
    trainer = login(factory.user(Role.TRAINER, partner))
    workshop = factory.workshop(partner, capacity=20, tickets_per_participant=10)
    refused = trainer.redeem(workshop, code=found[0].text)
    assert refused.status_code == 422 and refused.get_json()["reason"] == "not_activated"

    staff = instructor(factory)
    requests_ops.assign(staff, request_at(staff, where), local_today())  # hands the booklet out
    db.session.commit()
    for f in found:
        accepted = trainer.redeem(workshop, code=f.text)
        assert accepted.status_code == 201, accepted.get_json()
    assert trainer.redeem(workshop, code=found[0].text).get_json()["reason"] == "already_redeemed"


def test_the_sheet_prints_serial_check_code_value_validity_and_campaign_on_a4(app, factory, runner, tmp_path):
    campaign = factory.campaign(name="Pass numérique Haute-Garonne 2021", face_value_cents=1000)
    booklets = [factory.booklet(campaign, distributed=False) for _ in range(3)]
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["booklets", "print", "--campaign", str(campaign.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert len(reader.pages) == 3
    page = reader.pages[1]
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in page.mediabox.upper_right)
    assert round(width_mm) == 210 and round(height_mm) == 297
    text = page.extract_text()
    ticket = booklets[1].tickets[0]
    for expected in (format_serial(ticket_serial(ticket.number)), format_check_code(check_code_of(ticket)),
                     "10,00", "Pass numérique Haute-Garonne 2021", campaign.valid_until.strftime("%d/%m/%Y"),
                     booklets[1].serial):
        assert expected in text.replace("\u00a0", " "), expected
    assert text.count("Code de contrôle") == 10


def test_printing_an_unknown_booklet_is_refused_and_writes_nothing(app, factory, runner, tmp_path):
    campaign = factory.campaign()
    factory.booklet(campaign, distributed=False)
    out = tmp_path / "none.pdf"
    result = runner.invoke(args=["booklets", "print", "--campaign", str(campaign.id),
                                 "--booklet", booklet_serial(999_999), "--out", str(out)])
    assert result.exit_code != 0 and "introuvable" in result.output
    assert not out.exists()


def test_the_pdf_is_streamed_over_http_and_matches_the_cli(app, factory, login, runner, tmp_path):
    campaign = factory.campaign()
    for _ in range(2):
        factory.booklet(campaign, distributed=False)
    client = login(factory.user(Role.INSTRUCTOR))
    response = client.get(f"/bo/campaigns/{campaign.id}/booklets.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.is_streamed
    assert len(PdfReader(io.BytesIO(response.get_data())).pages) == 2
    assert client.get(f"/bo/campaigns/{campaign.id}/booklets.pdf?serials=12345678").status_code == 400  # typo
    unknown = client.get(f"/bo/campaigns/{campaign.id}/booklets.pdf?serials={booklet_serial(999_999)}")
    assert unknown.status_code == 404 and "introuvable" in unknown.get_data(as_text=True)


class _CountingSink:
    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)


def _peak(campaign, count):
    from flask import current_app

    numbers = db.session.execute(db.select(Booklet.serial).where(Booklet.campaign_id == campaign.id)
                                 .order_by(Booklet.number).limit(count)).scalars().all()
    current_app.extensions["keyring"].signing_key()  # load the keys before measuring
    db.session.expire_all()
    tracemalloc.start()
    sink = _CountingSink()
    pages = sheets.write_pdf(sink, campaign, numbers)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, pages, sink.size


def test_printing_keeps_memory_bounded_whatever_the_number_of_booklets(app, factory):
    from partner_site.domain import booklets as booklet_ops

    campaign = factory.campaign()
    booklet_ops.generate("test", campaign, 60)
    db.session.commit()
    small, small_pages, small_size = _peak(campaign, 6)
    large, large_pages, large_size = _peak(campaign, 60)
    # Ten times the pages written (over 10 KB a sheet; the embedded fonts weigh the same in both)...
    assert (small_pages, large_pages) == (6, 60) and large_size - small_size > 54 * 10_000
    assert large < small * 2  # ...with about the same memory: only a few bytes per page are kept


def test_booklets_and_letters_embed_every_font_and_print_turkish_names(app, factory, tmp_path):
    campaign = factory.campaign(name="Pass numérique · Şanlıurfa İzmir Çağrı")
    factory.booklet(campaign, distributed=False)
    sheet = io.BytesIO()
    sheets.write_pdf(sheet, campaign)
    staff = instructor(factory)
    request = assigned_request(factory, staff, point(), last_name="Yılmaz", first_name="Gülşen")
    letter = io.BytesIO()
    letters.write_mailing(letter, [(request, requests_ops.current_booklet(request))], local_today())
    for pdf, expected in ((sheet.getvalue(), "Şanlıurfa İzmir Çağrı"), (letter.getvalue(), "Gülşen YILMAZ")):
        fonts = pdf_fonts(pdf, tmp_path)
        assert fonts and all(f["embedded"] and f["subset"] and f["unicode"] for f in fonts), fonts
        assert {f["name"].split("+")[1] for f in fonts} <= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono-Bold"}
        assert expected in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
