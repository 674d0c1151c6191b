"""The funnel board (crm/workqueue/views_board.py): columns per stage, moves by the card's form with
the stage rules enforced on the server, who sees and moves what, and a constant number of queries."""
import html

import pytest
from sqlalchemy import select

from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from tests.conftest import csrf_token
from tests.enterprises_helpers import QueryCounter, world  # noqa: F401 - fixture


def _column(page: str, stage: str) -> str:
    start = page.index(f'data-stage="{stage}"')
    return page[start:page.find("</section>", start)]


def _move(client, enterprise_id, stage, comment="", who="mine"):
    return client.post(f"/board/enterprises/{enterprise_id}/stage",
                       data={"csrf_token": csrf_token(client, "/board"), "stage": stage, "comment": comment,
                             "who": who})


def _stage(app, enterprise_id) -> str:
    with app.app_context():
        return db.session.get(Enterprise, enterprise_id).stage


def test_the_board_shows_a_column_per_stage(client, auth, make, world):  # noqa: F811
    make.enterprise(world.org, coach=world.coach, name="Coop en formation", stage="training")
    make.enterprise(world.org, coach=world.colleague, name="Coop d'une collègue", stage="awareness")
    make.enterprise(world.other_org, name="Coop d'ailleurs", stage="training")
    auth.sign_in(world.coach)
    page = html.unescape(client.get("/board").get_data(as_text=True))
    assert page.count('class="board-column"') == 7
    assert "Coop en formation" in _column(page, "training") and "Coop d'une collègue" not in page
    everyone = html.unescape(client.get("/board?who=all").get_data(as_text=True))
    assert "Coop d'une collègue" in _column(everyone, "awareness") and "Coop d'ailleurs" not in everyone
    # A colleague's card is shown, not movable by this coach.
    colleague = _column(everyone, "awareness")
    assert "data-board-move" not in colleague and "draggable" not in colleague
    assert client.get("/board?who=nonsense").status_code == 200


def test_moving_forward_from_the_card(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Coop du Quai", stage="awareness")
    auth.sign_in(world.coach)
    response = _move(client, enterprise.id, "training")
    assert response.status_code == 302 and response.headers["Location"] == "/board?who=mine"
    page = html.unescape(client.get("/board").get_data(as_text=True))
    assert "Coop du Quai passe à l'étape « Formation »." in page and "Coop du Quai" in _column(page, "training")
    assert _stage(app, enterprise.id) == "training"


def test_going_back_needs_a_comment_as_on_the_enterprise_page(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Coop du Quai", stage="training")
    auth.sign_in(world.coach)
    refused = _move(client, enterprise.id, "awareness")
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "Un retour en arrière dans le parcours ou un retrait demande un commentaire." in page
    assert '<details class="board-move" open>' in page
    assert _stage(app, enterprise.id) == "training"
    assert _move(client, enterprise.id, "withdrawn").status_code == 400
    accepted = _move(client, enterprise.id, "awareness", comment="Reporte la formation à l'automne")
    assert accepted.status_code == 302 and _stage(app, enterprise.id) == "awareness"
    with app.app_context():
        change = db.session.scalars(select(StageChange).where(StageChange.enterprise_id == enterprise.id)
                                    .order_by(StageChange.id.desc())).first()
        assert change.comment == "Reporte la formation à l'automne" and change.changed_by_id == world.coach.id


@pytest.mark.parametrize("stage", ["nowhere", "", "training"])
def test_bad_moves_change_nothing(app, client, auth, make, world, stage):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage="training")
    auth.sign_in(world.coach)
    assert _move(client, enterprise.id, stage).status_code == 400  # unknown, missing, or the same stage
    assert _stage(app, enterprise.id) == "training"


def test_moves_follow_the_access_rules(app, client, auth, make, world):  # noqa: F811
    colleague = make.enterprise(world.org, coach=world.colleague, stage="awareness")
    other = make.enterprise(world.other_org, stage="awareness")
    auth.sign_in(world.coach)
    assert _move(client, colleague.id, "training").status_code == 403
    assert _move(client, other.id, "training").status_code == 404
    auth.sign_in(world.manager)  # a manager moves any of the organization's enterprises
    assert _move(client, colleague.id, "training", who="all").status_code == 302
    assert _stage(app, colleague.id) == "training" and _stage(app, other.id) == "awareness"


def test_the_board_in_english(client, auth, make, world):  # noqa: F811
    make.enterprise(world.org, coach=world.coach, stage="training")
    auth.sign_in(world.coach)
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/")})
    page = html.unescape(client.get("/board").get_data(as_text=True))
    assert "Funnel board" in page and "Move the enterprise" in page and "Training" in page


def test_the_board_sends_as_many_queries_with_more_cards(app, client, auth, make, world):  # noqa: F811
    def count(user, who):
        auth.sign_in(user)
        client.get(f"/board?who={who}")
        with QueryCounter(app) as counter:
            assert client.get(f"/board?who={who}").status_code == 200
        return counter.count

    stages = ["identified", "awareness", "training", "completed"]
    make.enterprise(world.org, coach=world.coach, stage="awareness")
    few = count(world.coach, "mine"), count(world.manager, "all")
    for i in range(8):
        make.enterprise(world.org, coach=world.coach if i % 2 else world.colleague, stage=stages[i % 4])
    assert (count(world.coach, "mine"), count(world.manager, "all")) == few
