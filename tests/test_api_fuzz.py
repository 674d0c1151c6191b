"""Property-based tests over the OpenAPI document: for every operation it describes, queries and
bodies drawn from its own schemas (valid ones and hostile ones) never answer a 500 nor anything but
JSON; refused input is a 4xx problem.

The strategies are made from the document itself (``from_schema``), so a new route or field is
fuzzed without a change here.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api_helpers import bearer, personal_token
from tests.route_access import build_world

HOSTILE_TEXT = ["", " ", "\x00", "a\nb", "\u202e", "x" * 5000, "9" * 30, "-1", "<b>", "' OR 1=1 --", "null",
                "2026-02-30", "9999-12-31", "é"]
HOSTILE = st.one_of(st.sampled_from(HOSTILE_TEXT), st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=False), st.booleans(), st.none(), st.lists(st.integers(), max_size=3),
                    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def from_schema(schema: dict, document: dict) -> st.SearchStrategy:
    """Values for a JSON Schema (the subset the document uses), and now and then a hostile one."""
    if "$ref" in schema:
        return from_schema(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]], document)
    if "anyOf" in schema:
        return st.one_of([from_schema(part, document) for part in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date":
            return st.dates().map(str)
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 50), 50))
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum", -(2**40)), max_value=schema.get("maximum", 2**40))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), document), max_size=3)
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {name: from_schema(value, document) for name, value in properties.items() if name in required},
            optional={name: st.one_of(from_schema(value, document), HOSTILE)
                      for name, value in properties.items() if name not in required})
    return HOSTILE


def _query_value(value):
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


@pytest.fixture
def setting(app, client, make):
    world = build_world(app, make)
    document = client.get("/api/v1/openapi.json").json
    return world, document, bearer(personal_token(app, world.people["manager"]))


def test_the_document_is_openapi_3_1_with_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    described = {(path, method) for path, method, _op in operations(document)}
    routes = {(rule.rule.replace("<int:", "{").replace(">", "}"), method)
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == routes


def test_the_documentation_page_keeps_the_content_security_policy(client):
    page = client.get("/api-docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "GET /api/v1/enterprises" in text
    assert "<script" not in text.replace('<script src="/static/', "") and "style=" not in text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http" not in "".join(line for line in text.splitlines() if "src=" in line or "href=" in line
                                 if "localhost" not in line)


def fuzz(client, headers, method, url, query, body, has_body):
    """Calls ``method url`` with queries and bodies drawn from the strategies: never a 500."""

    @settings(max_examples=25, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.fixed_dictionaries({}, optional=query), body)
    def call(arguments, payload):
        extra = {"If-Match": "*"} if method == "PATCH" else {}
        response = client.open(url, method=method, headers={**headers, **extra},
                               query_string={k: _query_value(v) for k, v in arguments.items()},
                               json=payload if has_body else None)
        assert response.status_code < 500, (method, url, arguments, payload, response.get_data(as_text=True))
        assert response.mimetype in ("application/json", "application/problem+json")
        if response.status_code >= 400:
            assert response.json["status"] == response.status_code

    call()


def test_no_input_drawn_from_the_schemas_answers_a_500(app, client, setting):
    world, document, headers = setting
    ids = world.ids  # every path's ids: the world's objects
    checked = []
    for path, method, operation in operations(document):
        query = {p["name"]: from_schema(p["schema"], document) for p in operation.get("parameters", [])
                 if p["in"] == "query"}
        body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        body = st.one_of(from_schema(body_schema, document), HOSTILE) if body_schema else st.none()
        fuzz(client, headers, method, path.format(**ids), query, body, body_schema is not None)
        checked.append((method, path))
    assert len(checked) >= 10


def test_each_problem_type_is_explained_on_the_documentation_page(app, client, make):
    page = client.get("/api-docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    refused = client.get("/api/v1/enterprises", headers={"Authorization": "Bearer vrg_unknown"})
    anchor = refused.json["type"].split("#", 1)[1]
    assert refused.json["type"].startswith("http://localhost/api-docs#") and f'id="{anchor}"' in page
