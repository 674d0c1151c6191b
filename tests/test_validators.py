import pytest

from crm.validators import InvalidValue, clean_neq, clean_phone, clean_postal_code, clean_url

pytestmark = pytest.mark.database_independent


@pytest.mark.parametrize(("raw", "clean"), [("1234567890", "1234567890"), (" 1234 567 890 ", "1234567890"),
                                            ("", None), (None, None)])
def test_neq_accepts_ten_digits_and_strips_spaces(raw, clean):
    assert clean_neq(raw) == clean


@pytest.mark.parametrize("raw", ["123456789", "12345678901", "12345abcde", "１２３４５６７８９０"])
def test_neq_refuses_anything_else(raw):
    with pytest.raises(InvalidValue):
        clean_neq(raw)


@pytest.mark.parametrize(("raw", "clean"), [("h2x1y4", "H2X 1Y4"), ("G1R 4P5", "G1R 4P5"), (" j8x  3x7", "J8X 3X7")])
def test_postal_code_is_normalized(raw, clean):
    assert clean_postal_code(raw) == clean


@pytest.mark.parametrize("raw", ["D2X 1Y4", "W1A 1A1", "Z1A 1A1", "H2X 1Y", "12345", "H2O 1Y4"])
def test_postal_code_refuses_impossible_codes(raw):
    with pytest.raises(InvalidValue):
        clean_postal_code(raw)


@pytest.mark.parametrize(("raw", "clean"), [
    ("514 555-1234", "+1 514-555-1234"), ("(418) 555-0199 poste 12", "+1 418-555-0199 x12"),
    ("1-819-555-0000", "+1 819-555-0000"), ("+1 450 555 9999 ext. 3", "+1 450-555-9999 x3"),
])
def test_phone_is_normalized(raw, clean):
    assert clean_phone(raw) == clean


@pytest.mark.parametrize("raw", ["555-1234", "014 555 1234", "514 055 1234", "call me", "514555123456"])
def test_phone_refuses_non_north_american_numbers(raw):
    with pytest.raises(InvalidValue):
        clean_phone(raw)


def test_url_gets_a_scheme_and_refuses_nonsense():
    assert clean_url("coop.example") == "https://coop.example"
    assert clean_url("http://coop.example/a") == "http://coop.example/a"
    for bad in ["javascript:alert(1)", "ftp://x.example", "not a url", "https://nodot", "coop[1].example",
                "https://]coop.example"]:
        with pytest.raises(InvalidValue):
            clean_url(bad)
