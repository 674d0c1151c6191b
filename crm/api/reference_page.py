"""The documentation page's content, read from the OpenAPI document: the page is drawn on the server,
so it needs no script nor style of another site and keeps the Content-Security-Policy whole."""
from dataclasses import dataclass, field

from crm.i18n import _l

PROBLEM_CODES = (
    ("invalid-token", _l("401: the token is unknown, expired or revoked, or its owner's account is inactive.")),
    ("insufficient-scope", _l("403: a write with a read-only token.")),
    ("invalid-json", _l("400: the body is not JSON.")),
    ("invalid-input", _l("400 for a query, 422 for a body: see errors, one entry per refused value.")),
    ("invalid-cursor", _l("400: a cursor this API did not give.")),
    ("if-match-required", _l("428: a change without If-Match.")),
    ("changed-meanwhile", _l("412: someone saved the record since the version named by If-Match.")),
    ("duplicate", _l("409: the enterprise already exists (same NEQ, or same name in the same city).")),
    ("refused", _l("422: a rule of the programme refuses the change (the detail says which).")),
)


def type_text(schema: dict) -> str:
    """A short human reading of a JSON Schema: « string », « integer | null », « one of: a, b »…"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(type_text(part) for part in schema["anyOf"])
    if "const" in schema:
        return repr(schema["const"])
    if "enum" in schema:
        return " · ".join(str(value) for value in schema["enum"])
    if schema.get("type") == "array":
        return f"[{type_text(schema.get('items', {}))}]"
    text = str(schema.get("type", "object"))
    return f"{text} ({schema['format']})" if "format" in schema else text


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    tag: str
    parameters: list = field(default_factory=list)
    body: str | None = None
    responses: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "").lower()


def operations(document: dict) -> list[Operation]:
    found = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            found.append(Operation(
                method=method.upper(), path=path, summary=operation.get("summary", ""),
                description=operation.get("description", ""), tag=(operation.get("tags") or [""])[0],
                parameters=[(p["name"], p["in"], p.get("required", False), type_text(p.get("schema", {})),
                             p.get("description", "")) for p in operation.get("parameters", [])],
                body=type_text(body) if body else None,
                responses=[(status, answer.get("description", ""),
                            type_text(next(iter(answer.get("content", {}).values()), {}).get("schema", {}))
                            if answer.get("content") else "")
                           for status, answer in sorted(operation.get("responses", {}).items())]))
    return sorted(found, key=lambda o: (o.tag, o.path, o.method))


def schemas(document: dict) -> list[tuple[str, str, list]]:
    """(name, description, [(property, type, required, description)]) of each named schema."""
    found = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        found.append((name, schema.get("description", ""), [
            (prop, type_text(value), prop in required, value.get("description", ""))
            for prop, value in schema.get("properties", {}).items()]))
    return found
