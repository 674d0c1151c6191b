"""Enterprises' sector of activity as a code of the programme's list (crm.reference.SECTORS)

The free text of ``sector`` stays: it becomes the activity in the enterprise's own words. Where that
text names one of the sectors (its French or English name, or a usual other name), the new
``sector_code`` takes the sector; any other text leaves the sector not specified, for a person to
choose, rather than a guess. The organizations' saved import mappings that sent a column to the
sector (its free text until now) send it to the coded sector, which an import recognizes by name.

Revision ID: 5be462719e02
Revises: 3b8f2d6e1a47
Create Date: 2026-12-03 15:00

"""
import json
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "5be462719e02"
down_revision = "3b8f2d6e1a47"
branch_labels = None
depends_on = None

# Copied from crm.reference and crm.imports.validation (a migration never imports the application):
# folded names of each sector.
NAMES = {
    "personal_services": ("services aux personnes", "personal services", "services a la personne",
                          "services personnels", "aide a domicile", "aide domestique", "services funeraires",
                          "services sociaux", "social services", "home care"),
    "culture_communications": ("culture et communications", "culture and communications", "culture", "arts",
                               "arts et culture", "communications", "arts culture et communications"),
    "leisure_tourism": ("loisirs et tourisme", "recreation and tourism", "loisir", "loisirs", "tourisme",
                        "loisir et tourisme", "tourisme social", "tourism", "leisure and tourism"),
    "agrifood": ("agroalimentaire", "agri food", "alimentation", "agriculture", "bioalimentaire"),
    "housing": ("habitation", "housing", "logement", "logement communautaire"),
    "retail": ("commerce de detail", "retail trade", "commerce", "retail"),
    "environment_recovery": ("environnement et recuperation", "environment and recovery", "environnement",
                             "recuperation", "recyclage", "ressourcerie", "environment", "recycling"),
    "media": ("medias", "media", "medias communautaires", "community media"),
    "training_integration": ("formation et insertion socioprofessionnelle", "training and work integration",
                             "formation", "insertion", "insertion socioprofessionnelle", "formation et insertion",
                             "entreprise d insertion", "work integration"),
    "business_services": ("services aux entreprises", "business services", "services professionnels"),
    "health": ("sante", "health", "sante et services sociaux", "health care"),
    "early_childhood": ("petite enfance", "early childhood", "cpe", "centre de la petite enfance", "garderie",
                        "services de garde", "childcare", "child care"),
    "solidarity_finance": ("finance solidaire", "solidarity finance", "finance", "finance responsable",
                           "credit communautaire", "community finance"),
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def key(value) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())


def upgrade():
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.add_column(sa.Column("sector_code", sa.String(length=30), nullable=True))
        batch_op.create_index(batch_op.f("ix_enterprises_sector_code"), ["sector_code"], unique=False)
    codes = {name: code for code, names in NAMES.items() for name in names}
    bind = op.get_bind()
    texts = bind.execute(sa.text("SELECT DISTINCT sector FROM enterprises WHERE sector IS NOT NULL")).scalars()
    for text in list(texts):
        code = codes.get(key(text))
        if code:
            bind.execute(sa.text("UPDATE enterprises SET sector_code = :code WHERE sector = :text"),
                         {"code": code, "text": text})


    mappings = sa.table("import_mappings", sa.column("id", sa.Integer), sa.column("mapping", sa.JSON))
    for id_, mapping in bind.execute(sa.select(mappings.c.id, mappings.c.mapping)).all():
        mapping = json.loads(mapping) if isinstance(mapping, str) else mapping
        if "sector" in (mapping or {}).values():
            changed = {column: "sector_code" if field == "sector" else field for column, field in mapping.items()}
            bind.execute(mappings.update().where(mappings.c.id == id_).values(mapping=changed))


def downgrade():
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprises_sector_code"))
        batch_op.drop_column("sector_code")
