"""kartoteka.web: the public portal and the JSON API, a thin layer over kartoteka.search and kartoteka.catalog.

    create_app(store_url) -> FastAPI     pages (Jinja2, rendered on the server), /api/v1, /static
    render(template, language, **ctx)   a page as text (for tests of the templates)

Addresses: docs/reference/portal.md. No SQL and no business rules here: a page and an API address that show
the same thing call the same service function. Errors: one shape (kartoteka.web.errors).
"""

from kartoteka.web.app import create_app
from kartoteka.web.render import render

__all__ = ["create_app", "render"]
