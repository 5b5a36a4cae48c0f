"""Roles: viewer < operator < publisher < admin. A role below a route's is refused (403) even with
a valid CSRF token; the route's own role and those above it are let through."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from console.db import Database
from console.models import Role
from tests.console.routes import Endpoint, concrete, endpoints
from tests.console.web import add_account, sign_in

#: The role each route needs, for the routes whose role is known here ("METHOD pattern"). A route
#: found in the application but not listed is still checked by the rules below (a viewer may use
#: only the self-service forms).
ROLE_OF: dict[str, Role] = {
    "GET /": Role.VIEWER,
    "GET /statistics": Role.VIEWER,
    "GET /statistics/{table}.csv": Role.VIEWER,
    "GET /alerts": Role.VIEWER,
    "GET /audit": Role.VIEWER,
    "GET /password": Role.VIEWER,
    "POST /password": Role.VIEWER,
    "GET /accounts": Role.ADMIN,
    "POST /accounts": Role.ADMIN,
    "POST /accounts/{account_id:int}/role": Role.ADMIN,
    "POST /accounts/{account_id:int}/active": Role.ADMIN,
    "POST /accounts/{account_id:int}/password": Role.ADMIN,
    "GET /fleet": Role.VIEWER,
    "GET /kiosks/{kiosk_id}": Role.VIEWER,
    "GET /kiosks/{kiosk_id}/commands": Role.VIEWER,
    "GET /kiosks/{kiosk_id}/screenshots/{req}.png": Role.VIEWER,
    "POST /kiosks/{kiosk_id}/commands": Role.OPERATOR,
}
#: The forms a viewer may send: about their own session, language and password only.
SELF_SERVICE_FORMS = {"/signin", "/signout", "/language", "/password"}
ROLES = list(Role)


def app_of(client: TestClient) -> Starlette:
    app = client.app
    assert isinstance(app, Starlette)
    return app


def signed_in_as(client: TestClient, db: Database, role: Role) -> str:
    add_account(db, f"as-{role.value}", role)
    return sign_in(client, f"as-{role.value}")


def ask(client: TestClient, endpoint: Endpoint, csrf: str) -> int:
    if endpoint.method == "POST":
        return client.post(endpoint.path, data={"csrf": csrf}).status_code
    return client.get(endpoint.path).status_code


def test_each_role_reaches_exactly_the_routes_of_its_rank(
    console_client: TestClient, console_db: Database
) -> None:
    present = {str(endpoint): endpoint for endpoint in endpoints(app_of(console_client))}
    missing = sorted(set(ROLE_OF) - set(present))
    assert missing == [], f"routes of the role matrix the application no longer has: {missing}"
    wrong = []
    for role in ROLES:
        with TestClient(console_client.app, base_url="https://testserver", follow_redirects=False) as client:
            csrf = signed_in_as(client, console_db, role)
            for name, needed in ROLE_OF.items():
                status = ask(client, present[name], csrf)
                if role.allows(needed) and status in {401, 403}:
                    wrong.append(f"{role.value} refused {name} ({status})")
                if not role.allows(needed) and status != 403:
                    wrong.append(f"{role.value} let into {name} ({status})")
    assert wrong == [], "\n".join(wrong)


def test_a_viewer_can_send_no_form_but_the_self_service_ones(
    console_client: TestClient, console_db: Database
) -> None:
    """Every POST route the application has (other areas' included) refuses a viewer with a valid
    token: commands need an operator, content a publisher, accounts an admin."""
    csrf = signed_in_as(console_client, console_db, Role.VIEWER)
    wrong = []
    for endpoint in endpoints(app_of(console_client)):
        if endpoint.method != "POST" or endpoint.pattern in SELF_SERVICE_FORMS:
            continue
        status = ask(console_client, endpoint, csrf)
        if status != 403:
            wrong.append(f"{endpoint}: {status}")
    assert wrong == [], "forms a viewer may send:\n" + "\n".join(wrong)
    assert console_client.get("/audit").status_code == 200  # still signed in: nothing was done


def test_the_areas_a_role_cannot_use_are_not_offered(
    console_client: TestClient, console_db: Database
) -> None:
    signed_in_as(console_client, console_db, Role.VIEWER)
    page = console_client.get("/statistics").text
    assert 'href="/accounts"' not in page and 'href="/publishing"' not in page
    assert 'href="/audit"' in page and 'href="/password"' in page
    with TestClient(console_client.app, base_url="https://testserver", follow_redirects=False) as admin:
        signed_in_as(admin, console_db, Role.ADMIN)
        assert 'href="/accounts"' in admin.get("/statistics").text


def test_a_path_parameter_is_filled_with_something_that_names_nothing() -> None:
    assert concrete("/accounts/{account_id:int}/role") == "/accounts/987654321/role"
    assert concrete("/fleet/{kiosk}") == "/fleet/no-such-thing"
