"""The pages the benchmark drives, who views them, and how their ids are found in the data."""
from dataclasses import dataclass

from sqlalchemy import create_engine, text

EMAILS = {
    "coach": "conseiller.estrie@virage.example",
    "manager": "gestion.estrie@virage.example",
    "admin": "admin@virage.example",
}


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None
    path: str

    @property
    def email(self):
        return EMAILS[self.role]


PAGES = [
    Page("floor", None, "/bench/floor"),
    Page("home (coach)", "coach", "/"),
    Page("home (manager)", "manager", "/"),
    Page("home (admin)", "admin", "/"),
]


def resolve_placeholders(database_url: str, pages) -> dict[str, str]:
    """Fill {enterprise_id}-style placeholders with ids the page's viewer may see."""
    engine = create_engine(database_url)
    values = {}
    with engine.connect() as conn:
        values["enterprise_id"] = conn.execute(text(
            "SELECT e.id FROM enterprises e JOIN users u ON u.id = e.coach_id "
            "WHERE u.email = :email ORDER BY e.id LIMIT 1"), {"email": EMAILS["coach"]}).scalar()
    engine.dispose()
    return {page.name: page.path.format(**values) for page in pages}
