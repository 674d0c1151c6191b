"""The pages the benchmark drives, who views them, and how their ids are found in the data."""
from dataclasses import dataclass

from sqlalchemy import create_engine, text

EMAILS = {
    "coach": "conseiller.estrie@virage.example",
    # CÉSÎM (Montréal) is the biggest caseload of the province: the hardest manager's lists.
    "manager": "gestion.cesim@virage.example",
    # Created by `flask crm seed-scale` with a published TOTP secret (bench only).
    "admin": "bench.admin@virage.example",
}


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None
    path: str
    api: bool = False  # called with a bearer token of the role's person, not a session cookie

    @property
    def email(self):
        return EMAILS[self.role]


PAGES = [
    Page("floor", None, "/bench/floor"),
    Page("layout only (coach)", "coach", "/privacy"),
    Page("caseload (coach)", "coach", "/caseload"),
    Page("enterprises (manager)", "manager", "/enterprises"),
    Page("enterprises (coach)", "coach", "/enterprises"),
    Page("enterprises region+stage", "manager", "/enterprises?region=06&stage=awareness"),
    Page("enterprises search", "manager", "/enterprises?q=cooperative%20montreal"),
    Page("enterprises (admin)", "admin", "/enterprises"),
    Page("enterprises search (admin)", "admin", "/enterprises?q=tremblay"),
    Page("enterprise page", "coach", "/enterprises/{enterprise_id}"),
    Page("cohort page", "manager", "/cohorts/{cohort_id}"),
    Page("dashboard (manager)", "manager", "/reports/"),
    Page("dashboard (admin)", "admin", "/reports/"),
    Page("report pack (manager)", "manager", "/reports/pack"),
    Page("report pack (admin)", "admin", "/reports/pack"),
    Page("report pack since start (admin)", "admin", "/reports/pack?period=programme"),
    Page("report pack XLSX (admin)", "admin", "/reports/pack.xlsx"),
    Page("CSV export (stage)", "manager", "/reports/enterprises.csv?stage=training"),
    Page("CSV export (all)", "manager", "/reports/enterprises.csv"),
    Page("API enterprises (manager)", "manager", "/api/v1/enterprises?limit=50", api=True),
    Page("API enterprises (admin)", "admin", "/api/v1/enterprises?limit=50", api=True),
    Page("API enterprises search", "manager", "/api/v1/enterprises?limit=50&q=cooperative", api=True),
]


def resolve_placeholders(database_url: str, pages) -> dict[str, str]:
    """Fill {enterprise_id}-style placeholders with ids the page's viewer may see.

    The enterprise page is the coach's enterprise with the longest timeline; the cohort page the
    manager's cohort with the most members: the heaviest of their kind.
    """
    engine = create_engine(database_url)
    values = {}
    with engine.connect() as conn:
        values["enterprise_id"] = conn.execute(text(
            "SELECT e.id FROM enterprises e JOIN users u ON u.id = e.coach_id "
            "LEFT JOIN activities a ON a.enterprise_id = e.id "
            "WHERE u.email = :email GROUP BY e.id ORDER BY count(a.id) DESC, e.id LIMIT 1"),
            {"email": EMAILS["coach"]}).scalar()
        values["cohort_id"] = conn.execute(text(
            "SELECT c.id FROM cohorts c JOIN users u ON u.organization_id = c.organization_id "
            "LEFT JOIN cohort_memberships m ON m.cohort_id = c.id "
            "WHERE u.email = :email GROUP BY c.id ORDER BY count(m.id) DESC, c.id LIMIT 1"),
            {"email": EMAILS["manager"]}).scalar()
    engine.dispose()
    return {page.name: page.path.format(**values) for page in pages}
