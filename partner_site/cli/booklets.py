"""`flask --app wsgi booklets ...`: issue, export, print, hand out and oppose booklets."""
import csv

import click

from ..domain import booklets as booklet_ops
from ..domain.clock import local_today
from .common import domain_call, echo_json, get_campaign


@click.group("booklets")
def booklets_cli():
    """Issue, export, hand out and oppose booklets."""


@booklets_cli.command("generate")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--count", type=click.IntRange(1, 100_000), required=True)
def generate_booklets(campaign_id, count):
    """Issue COUNT booklets for a campaign, within its budget."""
    with domain_call():
        booklets = booklet_ops.generate("cli", get_campaign(campaign_id), count)
    echo_json({"count": len(booklets), "first": booklets[0].serial, "last": booklets[-1].serial})


@booklets_cli.command("export")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="CSV file (default: stdout).")
def export_booklets(campaign_id, out):
    """Write the print shop's CSV: serial,check_code,code,booklet,status."""
    from ..printing import printshop

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(printshop.HEADER)
    writer.writerows(printshop.rows(get_campaign(campaign_id), local_today()))


@booklets_cli.command("print")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--booklet", "serials", multiple=True, help="Booklet serial (repeatable); default: the whole campaign.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="PDF file to write.")
def print_booklets(campaign_id, serials, out):
    """Write the print-ready PDF: one A4 sheet per booklet, ten tickets with cut marks."""
    from ..printing import sheets

    campaign = get_campaign(campaign_id)
    with domain_call():
        if serials:
            sheets.check_serials(campaign, list(serials))
        with open(out, "wb") as fh:
            pages = sheets.write_pdf(fh, campaign, list(serials) or None)
    echo_json({"booklets": pages, "out": out})


@booklets_cli.command("distribute")
@click.argument("serials", nargs=-1, required=True)
def distribute_booklets(serials):
    """Hand out booklets in stock by serial, during their campaign: their tickets become active."""
    with domain_call():
        for serial in serials:
            booklet_ops.hand_out("cli", booklet_ops.by_serial(serial), local_today())
    echo_json({"distributed": list(serials)})


@booklets_cli.command("oppose")
@click.argument("serials", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why: lost, stolen... (300 characters at most)")
def oppose_booklets(serials, reason):
    """Declare booklets lost or stolen: their unused tickets are refused from now on."""
    cancelled = 0
    with domain_call({"reason": "--reason"}):
        for serial in serials:
            cancelled += booklet_ops.oppose("cli", booklet_ops.by_serial(serial), reason)
    echo_json({"opposed": list(serials), "tickets_cancelled": cancelled})
