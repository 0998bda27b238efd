"""The OpenAPI 3 description of API v1, kept beside the endpoints it describes."""
from flask import jsonify

from . import bp

REASONS = ["malformed", "bad_signature", "unknown_key", "unknown_ticket", "bad_check_code", "not_activated",
           "cancelled", "expired", "not_yet_valid", "already_redeemed", "workshop_not_open", "workshop_full",
           "over_limit", "nonce_reused", "forbidden", "bad_request", "rate_limited", "not_voidable", "not_found",
           "unauthenticated"]


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description: str, schema: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


COMMON_ERRORS = {"400": _error("bad_request"), "401": _error("unauthenticated"), "403": _error("forbidden"),
                 "429": _error("rate_limited")}
CSRF = [{"session": [], "csrf": []}]

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Pass numérique partner site API", "version": "1",
             "description": "Session cookie from the login form; every write carries the page's CSRF token "
                            "in the X-CSRFToken header. Every error answers JSON with a stable `reason` "
                            "and a French `message`."},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
        },
        "schemas": {
            "Error": {"type": "object", "required": ["reason", "message"], "properties": {
                "reason": {"type": "string", "enum": REASONS},
                "message": {"type": "string", "description": "French, for a person"},
                "redeemed_at": {"type": "string", "format": "date-time"},
                "same_partner": {"type": "boolean"},
                "unexpected": {"type": "array", "items": {"type": "string"},
                               "description": "keys the route does not read (bad_request)"}}},
            "RedemptionRequest": {"type": "object", "required": ["workshop_id", "nonce"], "properties": {
                "workshop_id": {"type": "integer"},
                "nonce": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                          "description": "made by the phone at scan time, reused on every retry"},
                "code": {"type": "string", "description": "the QR's text (112 base32 characters)"},
                "serial": {"type": "string", "description": "printed serial, for manual entry"},
                "check_code": {"type": "string", "description": "printed check code, with the serial"},
                "scanned_at": {"type": "string", "format": "date-time",
                               "description": "when the phone scanned it (kept for offline scans only)"}},
                "additionalProperties": False},
            "Redemption": {"type": "object", "properties": {
                "id": {"type": "integer"}, "status": {"type": "string", "enum": ["accepted", "voided"]},
                "message": {"type": "string"}, "serial": {"type": "string"}, "workshop_id": {"type": "integer"},
                "amount_cents": {"type": "integer"}, "redeemed_at": {"type": "string", "format": "date-time"},
                "scanned_at": {"type": "string", "format": "date-time"}, "offline": {"type": "boolean"},
                "voided_at": {"type": "string", "format": "date-time"},
                "voidable": {"type": "boolean",
                             "description": "whether this user may still undo it (made today, claim still open)"},
                "workshop_count": {"type": "integer",
                                   "description": "live redemptions at the workshop now (POST and DELETE answers)"},
                "trainer": {"type": "string", "description": "who validated it (workshop list only)"}}},
            "WorkshopRequest": {"type": "object",
                                "required": ["title", "starts_at", "ends_at", "capacity"], "properties": {
                "title": {"type": "string", "maxLength": 200},
                "starts_at": {"type": "string", "format": "date-time"},
                "ends_at": {"type": "string", "format": "date-time"},
                "place": {"type": "string", "maxLength": 200},
                "commune_insee": {"type": "string"},
                "capacity": {"type": "integer", "minimum": 1, "maximum": 1000},
                "tickets_per_participant": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1}}},
            "Workshop": {"type": "object", "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "starts_at": {"type": "string", "format": "date-time"},
                "ends_at": {"type": "string", "format": "date-time"}, "place": {"type": "string"},
                "commune_insee": {"type": "string", "nullable": True},
                "capacity": {"type": "integer"}, "tickets_per_participant": {"type": "integer"},
                "redeemed_count": {"type": "integer"}, "cancelled": {"type": "boolean"}}},
            "WorkshopList": {"type": "object", "properties": {
                "workshops": {"type": "array", "items": {"$ref": "#/components/schemas/Workshop"}}}},
            "WorkshopRedemptions": {"type": "object", "properties": {
                "workshop": {"$ref": "#/components/schemas/Workshop"},
                "redemptions": {"type": "array", "items": {"$ref": "#/components/schemas/Redemption"}}}},
            "Claim": {"type": "object", "properties": {
                "id": {"type": "integer"}, "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                "status": {"type": "string", "enum": ["open", "submitted", "approved", "in_batch", "paid"]},
                "reference": {"type": "string", "nullable": True,
                              "description": "given at submission, e.g. PN31-2021-000123"},
                "total_cents": {"type": "integer", "description": "sum of the accepted lines"},
                "line_count": {"type": "integer"}, "rejected_count": {"type": "integer"},
                "submitted_at": {"type": "string", "format": "date-time", "nullable": True},
                "approved_at": {"type": "string", "format": "date-time", "nullable": True},
                "paid_at": {"type": "string", "format": "date-time", "nullable": True}}},
            "ClaimLine": {"type": "object", "properties": {
                "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["redemption", "adjustment"]},
                "status": {"type": "string", "enum": ["accepted", "rejected", "pending"],
                           "description": "pending: an adjustment that raises the claim, waiting for a second "
                                          "staff member's approval; counted only once accepted"},
                "amount_cents": {"type": "integer", "description": "negative for an adjustment that recovers money"},
                "serial": {"type": "string", "nullable": True}, "workshop_id": {"type": "integer", "nullable": True},
                "workshop_title": {"type": "string", "nullable": True}, "trainer": {"type": "string", "nullable": True},
                "scanned_at": {"type": "string", "format": "date-time", "nullable": True},
                "reject_reason": {"type": "string", "nullable": True, "description": "why staff rejected it (French)"},
                "label": {"type": "string", "nullable": True}}},
            "ClaimList": {"type": "object", "properties": {
                "claims": {"type": "array", "items": {"$ref": "#/components/schemas/Claim"}}}},
            "ClaimDetail": {"allOf": [{"$ref": "#/components/schemas/Claim"}, {"type": "object", "properties": {
                "lines": {"type": "array", "items": {"$ref": "#/components/schemas/ClaimLine"}},
                "lines_total": {"type": "integer"}, "page": {"type": "integer"},
                "next_page": {"type": "integer", "nullable": True}}}]},
            "Keys": {"type": "object", "properties": {"keys": {"type": "array", "items": {
                "type": "object", "properties": {
                    "kid": {"type": "integer"}, "algorithm": {"type": "string"},
                    "public_key": {"type": "string", "description": "raw 32 bytes, base64url"},
                    "active": {"type": "boolean"}}}}}},
        },
    },
    "paths": {
        "/redemptions": {"post": {
            "summary": "Accept one ticket at a workshop (idempotent by nonce)", "security": CSRF,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/RedemptionRequest"}}}},
            "responses": {"201": _ok("accepted", "Redemption"), "200": _ok("replayed nonce: the first answer", "Redemption"),
                          "409": _error("already_redeemed or nonce_reused"), "422": _error("another refusal reason"),
                          **COMMON_ERRORS}}},
        "/redemptions/{redemption_id}": {"delete": {
            "summary": "Void a redemption of today, before its claim is submitted", "security": CSRF,
            "parameters": [{"name": "redemption_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _ok("voided", "Redemption"), "404": _error("not_found"),
                          "409": _error("not_voidable"), **COMMON_ERRORS}}},
        "/workshops": {
            "get": {"summary": "The workshops of the user's partner", "security": [{"session": []}],
                    "responses": {"200": _ok("list", "WorkshopList"), **COMMON_ERRORS}},
            "post": {"summary": "Create a workshop", "security": CSRF,
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/WorkshopRequest"}}}},
                     "responses": {"201": _ok("created", "Workshop"), **COMMON_ERRORS}}},
        "/workshops/{workshop_id}/redemptions": {"get": {
            "summary": "Redemptions at one of the partner's workshops", "security": [{"session": []}],
            "parameters": [{"name": "workshop_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _ok("list", "WorkshopRedemptions"), "404": _error("not_found"), **COMMON_ERRORS}}},
        "/redemptions/batch": {"post": {
            "summary": "Upload scans made offline; each item answered like POST /redemptions", "security": CSRF,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"], "additionalProperties": False,
                "properties": {"items": {
                    "type": "array", "minItems": 1, "maxItems": 100, "items": {"allOf": [
                        {"$ref": "#/components/schemas/RedemptionRequest"},
                        {"type": "object", "required": ["scanned_at"]}]}}}}}}},
            "responses": {"200": {"description": "one result per item, in order", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"results": {"type": "array", "items": {
                    "type": "object", "properties": {"nonce": {"type": "string"}, "status": {"type": "integer"},
                                                     "body": {"type": "object"}}}}}}}}},
                          **COMMON_ERRORS}}},
        "/sync/revocations": {"get": {
            "summary": "Tickets a phone must refuse offline, changed since a cursor", "security": [{"session": []}],
            "parameters": [{"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "runs of ticket numbers: [gap, length, ...]", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "blocked": {"type": "array", "items": {"type": "integer"}},
                    "unblocked": {"type": "array", "items": {"type": "integer"}},
                    "cursor": {"type": "string"}, "complete": {"type": "boolean"},
                    "encoding": {"type": "string"}}}}}}, **COMMON_ERRORS}}},
        "/sync/campaigns": {"get": {
            "summary": "Ticket-number ranges of valid campaigns and the local days their tickets are accepted",
            "description": "The signed code carries no date: a phone offline checks the ticket's number against "
                           "these ranges and its own clock (in `timezone`).",
            "security": [{"session": []}],
            "responses": {"200": {"description": "ranges, by first number", "content": {"application/json": {
                "schema": {"type": "object", "properties": {
                    "timezone": {"type": "string"},
                    "campaigns": {"type": "array", "items": {"type": "object", "properties": {
                        "campaign_id": {"type": "integer"}, "first_number": {"type": "integer"},
                        "last_number": {"type": "integer"},
                        "valid_from": {"type": "string", "format": "date"},
                        "valid_until": {"type": "string", "format": "date",
                                        "description": "end date plus grace period, inclusive"}}}}}}}}},
                **COMMON_ERRORS}}},
        "/claims": {"get": {
            "summary": "The claims of the user's partner, newest month first (managers only)",
            "security": [{"session": []}],
            "responses": {"200": _ok("list", "ClaimList"), **COMMON_ERRORS}}},
        "/claims/{claim_id}": {"get": {
            "summary": "One claim of the user's partner with a page of its lines (500 a page; managers only)",
            "security": [{"session": []}],
            "parameters": [{"name": "claim_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                           {"name": "page", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "default": 1}}],
            "responses": {"200": _ok("claim", "ClaimDetail"), "404": _error("not_found"), **COMMON_ERRORS}}},
        "/keys": {"get": {"summary": "Public keys that verify ticket codes", "security": [],
                          "responses": {"200": _ok("keys", "Keys")}}},
    },
}


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI description of this API."""
    return jsonify(SPEC)
