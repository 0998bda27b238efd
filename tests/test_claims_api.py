"""The association's claims as JSON, and their description in the OpenAPI document."""
import sqlalchemy as sa

from partner_site.domain import claims as claim_ops
from partner_site.domain import review
from partner_site.extensions import db
from partner_site.models import Claim, ClaimLine

from .claims_world import campaign_for_last_month, make_world, validations


def test_a_manager_reads_the_claims_and_their_lines_with_rejection_reasons(factory, api):
    world = make_world(factory)
    done = validations(factory, world, campaign_for_last_month(factory), 3)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    claim_ops.submit(world.manager, claim.id)
    line = db.session.execute(sa.select(ClaimLine).where(ClaimLine.redemption_id == done[1].id)).scalar_one()
    review.reject_lines(world.instructor, claim.id, [line.id], "Atelier annulé ce jour-là")
    review.approve(world.instructor, claim.id)
    db.session.commit()
    client = api(world.manager)
    listing = client.get("/api/v1/claims").get_json()["claims"]
    assert listing == [{"id": claim.id, "period": claim.period.strftime("%Y-%m"), "status": "approved",
                        "reference": claim.reference, "total_cents": 2000, "line_count": 3, "rejected_count": 1,
                        "submitted_at": listing[0]["submitted_at"], "approved_at": listing[0]["approved_at"],
                        "paid_at": None}]
    body = client.get(f"/api/v1/claims/{claim.id}").get_json()
    assert (body["lines_total"], body["next_page"], len(body["lines"])) == (3, None, 3)
    rejected = [x for x in body["lines"] if x["status"] == "rejected"]
    assert rejected == [{**rejected[0], "reject_reason": "Atelier annulé ce jour-là", "amount_cents": 1000}]
    assert sum(x["amount_cents"] for x in body["lines"] if x["status"] == "accepted") == body["total_cents"]
    assert all("booklet" not in key for x in body["lines"] for key in x)
    bad = client.get(f"/api/v1/claims/{claim.id}?page=zero")
    assert bad.status_code == 400 and bad.get_json()["reason"] == "bad_request"


def test_the_openapi_document_describes_the_claims_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]["/claims"]) == {"get"}
    assert spec["paths"]["/claims/{claim_id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"] == {"$ref": "#/components/schemas/ClaimDetail"}
    statuses = spec["components"]["schemas"]["Claim"]["properties"]["status"]["enum"]
    assert statuses == ["open", "submitted", "approved", "in_batch", "paid"]
