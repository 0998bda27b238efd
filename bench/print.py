"""Bench: print a whole campaign (2,000 booklets, 20,000 tickets) against generating its QR matrices alone.

Run: .venv/bin/python bench/print.py [--booklets N]
Prints, in one run and on the same codes: the baseline (20,000 QR matrices with the fixed
mask pattern the print uses), qrcode's automatic fitting on a sample for reference, and the
whole print (database reads, signatures, check codes, drawing, compression, writing to a
file), its ratio to the baseline (goal: at most 1.5) and the process's peak memory. The ratio
is taken with the two interleaved page by page, since other builds share this machine's cores.
"""
import argparse
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import qrcode  # noqa: E402
from qrcode.constants import ERROR_CORRECT_M  # noqa: E402

from partner_site import create_app  # noqa: E402
from partner_site.domain import booklets as booklet_ops  # noqa: E402
from partner_site.extensions import db  # noqa: E402
from partner_site.printing import qr, sheets  # noqa: E402
from partner_site.printing.pdfstream import PdfWriter  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booklets", type=int, default=2000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-print-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite3",
                      "SIGNING_KEYS_FILE": f"{workdir}/keys.json", "RATELIMIT_ENABLED": False})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from datetime import date

        from partner_site.models import Campaign

        campaign = Campaign(name="Pass numérique Haute-Garonne 2021", budget_cents=args.booklets * 10 * 1000,
                            face_value_cents=1000, starts_on=date(2021, 3, 1), ends_on=date(2021, 12, 31))
        db.session.add(campaign)
        db.session.flush()
        booklet_ops.generate("bench", campaign, args.booklets)
        db.session.commit()
        numbers = [n for (n,) in db.session.execute(db.select(db.text("number")).select_from(db.text("tickets")))]
        codes = [booklet_ops.ticket_code(n) for n in numbers]
        print(f"tickets: {len(codes)} in {args.booklets} booklets; code length {len(codes[0])}")

        start = time.perf_counter()
        for code in codes:
            qr.matrix(code)
        baseline = time.perf_counter() - start
        print(f"baseline, QR matrices alone (fixed mask), in one go: {baseline:.2f} s, "
              f"{1000 * baseline / len(codes):.3f} ms each")

        sample = codes[:500]
        start = time.perf_counter()
        for code in sample:
            auto = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
            auto.add_data(code)
            auto.make(fit=True)
        fitted = (time.perf_counter() - start) / len(sample)
        print(f"reference, qrcode's automatic fitting (version {auto.version}): {1000 * fitted:.3f} ms each "
              f"({fitted * len(codes) / baseline:.1f}x the fixed mask)")

        # The print and its baseline, interleaved page by page (the ten matrices of a page, then the page
        # itself), so that the load of a shared machine weighs on both alike.
        rss_before = peak_rss_mb()
        out = os.path.join(workdir, "campaign.pdf")
        printing = matrices = 0.0
        with open(out, "wb") as fh:
            writer = PdfWriter(fh, title=campaign.name, compress_level=sheets.COMPRESSION)
            pages = sheets.iter_pages(writer, campaign)
            for page in range(args.booklets):
                start = time.perf_counter()
                for code in codes[page * 10:page * 10 + 10]:
                    qr.matrix(code)
                middle = time.perf_counter()
                next(pages)
                end = time.perf_counter()
                matrices += middle - start
                printing += end - middle
            start = time.perf_counter()
            writer.close()
            printing += time.perf_counter() - start
        size = os.path.getsize(out) / 1e6
        print(f"interleaved, QR matrices alone: {matrices:.2f} s, {1000 * matrices / len(codes):.3f} ms each")
        print(f"interleaved, print of the whole campaign: {printing:.2f} s for {writer.page_count} pages, "
              f"{1000 * printing / len(codes):.3f} ms a ticket, {size:.1f} MB")
        print(f"peak memory: {rss_before:.0f} MB before printing, {peak_rss_mb():.0f} MB after")
        ratio = printing / matrices
        print(f"ratio print / baseline: {ratio:.2f} (goal <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")

if __name__ == "__main__":
    main()
