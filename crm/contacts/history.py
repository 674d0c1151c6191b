"""How the contacts' writes read in an enterprise's history: a contact's fields, and consent given or
withdrawn with its purpose and how it was expressed (an answer to ``signals.history_terms``)."""
from crm import signals
from crm.contacts.models import PURPOSES
from crm.contributions import Field, HistoryTerms, codes, show_moment
from crm.i18n import _l, lazy_pgettext

CONSENT_CONTEXT = {
    "purpose": Field(lazy_pgettext("consent", "Purpose"), codes(PURPOSES)),
    # i18n: how the person gave or withdrew consent, e.g. "Expressed through: paper form of 3 March"
    "source": Field(lazy_pgettext("consent", "Expressed through")),
}


@signals.history_terms.connect
def history_terms(_sender, **_extra):
    return HistoryTerms(
        entities={"contacts": _l("Contact")},
        actions={"consent_granted": lazy_pgettext("history", "Consent given"),
                 "consent_withdrawn": lazy_pgettext("history", "Consent withdrawn")},
        fields={"contacts": {
            "first_name": Field(_l("First name")), "last_name": Field(_l("Last name")),
            "title": Field(_l("Position")), "email": Field(_l("Email")), "phone": Field(_l("Phone")),
            "email_consent": Field(_l("Consent to emails")), "consent_source": Field(_l("How consent was given")),
            "consent_at": Field(_l("Consent recorded on"), show_moment),
        }},
        contexts={"consent_granted": CONSENT_CONTEXT, "consent_withdrawn": CONSENT_CONTEXT},
    )
