"""The baseline: a bare Flask JSON endpoint, served exactly like the product."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/redemptions")
def bare():
    body = request.get_json(silent=True) or {}
    return jsonify({"id": 1, "status": "accepted", "nonce": body.get("nonce")}), 201


@app.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})
