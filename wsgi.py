"""WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`."""
from partner_site import create_app

app = create_app()
