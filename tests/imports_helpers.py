"""Helpers for the import tests: drive the real upload, mapping and commit forms.

The fixtures ``language`` (each test in French and in English) and ``manager`` (signed in, reading
Virage in that language) are imported by the test modules that use them.
"""
import io
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch
from tests.conftest import csrf_token

DATA = Path(__file__).resolve().parent / "data"
SELECTED_RE = re.compile(r'<select[^>]*name="(col_\d+)"[^>]*>.*?</select>', re.S)


@pytest.fixture(params=["fr", "en"])
def language(request):
    return request.param


@pytest.fixture
def manager(make, auth, language):
    """A manager of an organization of Estrie (region 05), signed in, who reads Virage in ``language``."""
    user = make.user(role="manager", organization=make.organization(name="Réseau Estrie", region_code="05"),
                     locale=language)
    auth.login(user)
    return user


def upload(client, content: bytes | Path, name: str | None = None, **extra):
    if isinstance(content, Path):
        name = name or content.name
        content = content.read_bytes()
    fields = {"csrf_token": csrf_token(client, "/imports/new"), **extra}
    # Encoded here, as a browser does: Werkzeug's test client leaks the temporary file it
    # spools big bodies to (a ResourceWarning under filterwarnings=error).
    boundary = f"----virage{uuid.uuid4().hex}"
    body = io.BytesIO()
    for key, value in fields.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
               "Content-Type: application/octet-stream\r\n\r\n".encode())
    body.write(content + f"\r\n--{boundary}--\r\n".encode())
    return client.post("/imports/new", data=body.getvalue(),
                       content_type=f"multipart/form-data; boundary={boundary}")


def batch_id_from(response) -> int:
    return int(re.search(r"/imports/(\d+)/", response.headers["Location"]).group(1))


def preselected(page: str) -> dict[str, str]:
    """{"col_0": "name", …}: the options the mapping page pre-selects."""
    chosen = {}
    for match in SELECTED_RE.finditer(page):
        option = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', match.group(0))
        chosen[match.group(1)] = next(v for v in option.groups() if v is not None) if option else ""
    return chosen


def confirm_mapping(client, batch_id, changes=None, **defaults):
    path = f"/imports/{batch_id}/mapping"
    page = client.get(path).get_data(as_text=True)
    data = {**preselected(page), **(changes or {}), "csrf_token": csrf_token(client, path)}
    data.setdefault("default_region", defaults.get("region", ""))
    data.setdefault("default_legal_form", defaults.get("legal_form", ""))
    return client.post(path, data=data)


def commit(client, batch_id, duplicates="skip"):
    return client.post(f"/imports/{batch_id}/commit", data={
        "duplicates": duplicates, "csrf_token": csrf_token(client, f"/imports/{batch_id}/preview")})


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def assert_refused(app, response, message) -> None:
    """The upload page again, with ``message``, and nothing written."""
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, ImportBatch) == 0 and count(app, Enterprise) == 0
