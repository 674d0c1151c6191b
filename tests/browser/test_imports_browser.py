"""A manager imports the Estrie hub's monthly list in a real browser: the header under the titles,
the merged region in the preview, and a cancel button that can be read (issue 15)."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login, screenshot
from tests.factories import PASSWORD
from tests.imports_files import estrie_members_xlsx

CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  const lum = c => { const [r, g, b] = rgb(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let node = el, background = 'rgba(0, 0, 0, 0)';
  while (node && /rgba\\(.*, 0\\)$|transparent/.test(background)) {
    background = getComputedStyle(node).backgroundColor; node = node.parentElement; }
  const [a, b] = [lum(getComputedStyle(el).color), lum(background)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_a_manager_imports_the_monthly_list_and_can_read_the_cancel_button(page, make):
    manager = make.user(role="manager", organization=make.organization(name="Réseau Estrie", region_code="05"))
    login(page, manager.email, PASSWORD)
    page.goto("/imports/new")
    page.set_input_files("input[type=file]", files=[{
        "name": "membres-mars-2026.xlsx", "buffer": estrie_members_xlsx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_label("Ligne qui porte les noms de colonnes")).to_have_value("3")
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Vérifier les lignes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l’importation")
    expect(page.locator("[data-filled-lines='4-6']")).to_contain_text("la cellule fusionnée « Estrie »")
    cancel = page.get_by_role("button", name="Annuler cette importation")
    assert cancel.evaluate(CONTRAST) >= 4.5
    assert axe_violations(page) == []
    screenshot(page, "import-preview")
