"""The public privacy policy, in French and in English."""


def test_policy_is_public_and_complete_in_french(client, app):
    app.config.update(PRIVACY_OFFICER_NAME="Marie Gagnon", PRIVACY_OFFICER_TITLE="Responsable PRP",
                      RETENTION_ARCHIVED_DAYS=730)
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Marie Gagnon", "Responsable PRP", "mailto:vie-privee@virage.example",
                 "Ce que nous recueillons", "Pourquoi nous les utilisons", "Consentement",
                 "Combien de temps nous les conservons", "anonymisés 730 jours plus tard", "Vos droits",
                 "Portabilité", "Rectification", "Retrait du consentement", "Incidents de confidentialité",
                 "Commission d"):
        assert text in page, text


def test_policy_in_english(client):
    page = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for text in ("What we collect", "Why we use it", "How long we keep it", "Your rights",
                 "Portability", "Confidentiality incidents", "730 days later"):
        assert text in page, text
